/**
 * Content conversion for the next hop (RFC 6152, RFC 2045, RFC 5322 section 2.1.1): what a
 * message's octets need ({@link io.postino.mime.ContentFacts}: 8-bit octets, lines over 998
 * octets, non-ASCII header fields, DKIM signatures), and the streamed rewriting of a message for a
 * host that takes only 7-bit content, or for any host when it has lines the RFC forbids
 * ({@link io.postino.mime.SevenBitConversion}): 8-bit and over-long leaf parts become
 * quoted-printable or base64, header fields over 998 octets are folded, everything else is kept
 * as it was. Parsing is Apache Mime4j's token stream, read twice (facts, then output), so that
 * nothing of a message is held whole in memory. Also what the header section asks of the transport
 * ({@link io.postino.mime.TlsRequiredField}: {@code TLS-Required: No}, RFC 8689). Blocking streams:
 * use it on a worker.
 *
 * <p>Depends on: nothing of Postino.
 */
package io.postino.mime;
