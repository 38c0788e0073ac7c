/**
 * The SMTP listener and its sessions: {@link io.postino.server.session.SmtpServerVerticle}, the
 * package's one public type, accepts connections and gives each an {@code SmtpSession}; everything
 * else here is package-private.
 *
 * <p>A session is a conductor and its parts. The conductor ({@code SmtpSession}) holds where the
 * dialogue stands ({@code Phase}) and what it waits for ({@code Wait}), reads input while it may and
 * passes the work on: {@code SessionCommands} parses every command line, checks it against the
 * {@code CommandTable} (allowed phases, TLS or AUTH required) and runs it (the error budget stays
 * with the conductor); {@code LineReader} reads command lines and AUTH responses under their limits from the
 * unread {@code Input}; {@code ReplyChannel} batches replies, notices a client that does not read
 * them, and closes gracefully or hard; {@code SessionClock} owns the timers (idle, command and
 * content deadlines with the {@code DataRateGuard}, greeting delay, the bound on the wait for the
 * DNS lists, close grace); {@code ReputationCheck} asks the DNS lists about the client at connect
 * and holds the greeting for their verdict;
 * {@code TlsUpgrade} starts TLS; {@code AuthDialogue} runs AUTH and its failure limits;
 * {@code EnvelopeCommands} builds the current {@code Transaction} from MAIL and RCPT;
 * {@code ContentReception} takes DATA and BDAT into the spool through the intake (with
 * the {@code SpoolHold} on the client's spool budget), asks the data policy and gives the final
 * reply. {@code Client} is what the session knows of its client. {@code SessionLog} writes the
 * session's Postfix-style lines (connect, every refusal, disconnect with command counts), following
 * the replies so that no refusal goes unlogged. All of a session's parts run on its event loop and
 * log under the name {@code SmtpSession}, so that a session's log reads as one.
 *
 * <p>This package uses {@code io.postino.server} for the types a listener is given (the context,
 * options and policies), never the queue's scheduling, delivery, DNS or local delivery. Nothing in
 * {@code io.postino.server} uses this package: the verticle, the only code that creates sessions,
 * lives here rather than there, so that the dependency goes one way and the two packages form no
 * cycle. (The other way out, the session package owning its context type, would have moved the
 * options and policies, which the configuration and the wiring in {@code io.postino} use as well,
 * into this package, or needed an adapter for each.) Whoever starts listeners
 * ({@code io.postino.Postino}) deploys the verticle with a {@code ServerContext}.
 *
 * <p>Depends on: {@code server}, {@code alias}, {@code server.auth}, {@code server.tls}, {@code intake}, {@code
 * spool}, {@code bus}, {@code smtp}, {@code config}, {@code metrics}, {@code authres}, {@code dnsbl},
 * {@code spf}.
 */
package io.postino.server.session;
