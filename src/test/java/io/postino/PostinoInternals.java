package io.postino;

import io.postino.spool.Spool;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.postino.server.RecipientPolicy;
import io.postino.server.auth.Authenticator;
import io.postino.server.tls.TlsSupport;

/**
 * The parts behind a {@link Postino} handle that tests of the implementation packages reach into
 * (the spool's fault injection, a certificate reload): not API, and on the test class path only.
 */
public final class PostinoInternals {

  private PostinoInternals() {
  }

  /** Starts Postino with the replay of what a previous run left in its spool held until {@code replayAfter}. */
  public static Future<Postino> startHoldingRecovery(Vertx vertx, PostinoOptions options, Future<?> replayAfter) {
    return Postino.start(vertx, options, replayAfter);
  }

  public static Spool spool(Postino postino) {
    return postino.spool();
  }

  public static TlsSupport tls(Postino postino) {
    return postino.tls();
  }

  public static Authenticator auth(Postino postino) {
    return postino.auth();
  }

  public static RecipientPolicy recipientPolicy(Postino postino) {
    return postino.recipientPolicy();
  }
}
