package io.postino.server;

import io.postino.queue.Spool;
import io.postino.queue.SpooledMessage;
import java.util.function.Consumer;

/**
 * What every SMTP session of a listener shares: options, policy, the connection counters, the
 * spool, and where an accepted message goes next. Thread-safe parts only: one instance serves all
 * verticle instances (event loops).
 *
 * @param hostname    the name this server gives in its greeting, EHLO reply and Received headers
 * @param accepted    called once a message is durably spooled and the client has its 250
 */
public record ServerContext(
    ServerOptions options,
    String hostname,
    RecipientPolicy policy,
    ConnectionLimiter limiter,
    Spool spool,
    Consumer<SpooledMessage> accepted) {
}
