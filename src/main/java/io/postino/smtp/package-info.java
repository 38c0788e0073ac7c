/**
 * The SMTP protocol as pure code over bytes and strings: commands and their parser, ESMTP
 * parameters, addresses and their syntax (local parts normalised as {@link
 * io.postino.smtp.LocalParts} says), replies with their enhanced status codes and the catalogue
 * of the replies the server sends ({@link io.postino.smtp.Replies}), the DATA decoder
 * (dot-unstuffing, CRLF "." CRLF only, bare CR/LF and NUL detection) and encoder, the client-side
 * reply parser, the SASL exchanges, submission header completion.
 *
 * <p>No I/O and no event loop: everything here can be tested with byte arrays, fuzzed and
 * measured with JMH (the {@code benchmarks/} suite). The architecture test checks that it uses
 * neither Vert.x, Netty nor files and sockets.
 *
 * <p>Depends on: nothing of Postino.
 */
package io.postino.smtp;
