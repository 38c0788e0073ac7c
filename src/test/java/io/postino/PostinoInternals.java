package io.postino;

import io.postino.spool.Spool;
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
