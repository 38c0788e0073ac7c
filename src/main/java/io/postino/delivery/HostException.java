package io.postino.delivery;

import io.vertx.core.VertxException;

/**
 * A host that cannot take the message now: it refused the session, did not offer what the
 * policy requires, or the connection failed. The delivery moves on to the next host. Stackless.
 */
final class HostException extends VertxException {

  private static final long serialVersionUID = 1L;

  private final transient Failure failure;
  private final String tlsResultType;

  HostException(Failure failure) {
    this(failure, null);
  }

  /**
   * @param tlsResultType for a failure to set up TLS as the policy asks, its RFC 8460 result type
   *                      ({@code starttls-not-supported}, {@code certificate-not-trusted}...)
   */
  HostException(Failure failure, String tlsResultType) {
    super(failure.text(), true);
    this.failure = failure;
    this.tlsResultType = tlsResultType;
  }

  Failure failure() {
    return failure;
  }

  /** The RFC 8460 result type when TLS failed, else null. */
  String tlsResultType() {
    return tlsResultType;
  }

  /** The failure a cause from opening or using a session stands for. */
  static Failure failureOf(Throwable cause) {
    if (cause instanceof HostException h) {
      return h.failure();
    }
    if (cause instanceof ConnectionException c) {
      return c.toFailure();
    }
    return Failure.temporary("4.4.0", "internal error: " + cause);
  }
}
