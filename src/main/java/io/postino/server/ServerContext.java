package io.postino.server;

import io.postino.dnsbl.Reputation;
import io.postino.intake.Intake;
import io.postino.metrics.ListenerMeters;
import io.postino.metrics.PostinoMetrics;
import io.postino.server.auth.Authenticator;
import io.postino.server.tls.TlsSupport;

/**
 * What every SMTP session of a listener shares: options, policy, the connection counters, the
 * intake (the spool, and where an accepted message goes next), TLS and AUTH. Thread-safe parts only: one
 * instance serves all verticle instances (event loops) of a listener.
 *
 * @param hostname    the name this server gives in its greeting, EHLO reply and Received headers
 * @param intake      where messages enter: the spool, then the queue once the client has its 250
 * @param listener    the rules of this listener's port
 * @param tls         STARTTLS and implicit TLS, or null when TLS is off
 * @param auth        AUTH, or null when it is off
 * @param applicationPolicy the event-bus policy hooks, or null for none
 * @param spoolBudget the spool space unfinished messages may hold per anonymous client address
 * @param sessions    the sessions open on every listener of the node, and whether it is stopping
 * @param metrics     the node's figures; each listener counts under its own name ({@link ListenerPolicy#label})
 * @param reputation  the DNS block and allow lists asked about the SMTP listener's clients ({@link Reputation#off()}: none)
 */
public record ServerContext(
    ServerOptions options,
    String hostname,
    RecipientPolicy policy,
    ConnectionLimiter limiter,
    Intake intake,
    ListenerPolicy listener,
    TlsSupport tls,
    Authenticator auth,
    ApplicationPolicy applicationPolicy,
    ClientSpoolBudget spoolBudget,
    OpenSessions sessions,
    PostinoMetrics metrics,
    Reputation reputation) {

  /** A plain SMTP listener without TLS or AUTH. */
  public ServerContext(ServerOptions options, String hostname, RecipientPolicy policy, ConnectionLimiter limiter,
      Intake intake) {
    this(options, hostname, policy, limiter, intake, ListenerPolicy.SMTP, null, null, null,
        new ClientSpoolBudget(options.getMaxSpoolBytesPerClient()), new OpenSessions(), PostinoMetrics.none(),
        Reputation.off());
  }

  /** This listener's meters: a lookup, so a session takes them once. */
  public ListenerMeters meters() {
    return metrics.listener(listener.label());
  }

  /** The same context for another kind of listener. */
  public ServerContext forListener(ListenerPolicy other) {
    return new ServerContext(options, hostname, policy, limiter, intake, other, tls, auth,
        applicationPolicy, spoolBudget, sessions, metrics, reputation);
  }
}
