package io.postino.delivery;

import io.vertx.core.VertxException;

/**
 * A connection that can no longer be used: closed by the peer, timed out, or sent something that
 * is not SMTP. Stackless: these are ordinary outcomes of talking to the Internet.
 */
final class ConnectionException extends VertxException {

  private static final long serialVersionUID = 1L;

  private final String status;

  /**
   * @param status the enhanced status a delivery result reports for it, e.g. {@code 4.4.2}
   */
  ConnectionException(String status, String message) {
    super(message, true);
    this.status = status;
  }

  /** @param cause what failed underneath (a TLS handshake's failure: the RFC 8460 result type is read from it) */
  ConnectionException(String status, String message, Throwable cause) {
    super(message, cause, true);
    this.status = status;
  }

  String status() {
    return status;
  }

  Failure toFailure() {
    return Failure.temporary(status, getMessage());
  }
}
