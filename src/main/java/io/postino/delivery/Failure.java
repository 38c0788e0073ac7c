package io.postino.delivery;

import io.postino.bus.RecipientResult;
import io.postino.smtp.MailAddress;
import io.postino.smtp.SmtpReply;

/**
 * Why a delivery did not happen, as a {@link RecipientResult} reports it: permanent or not, the
 * SMTP code and enhanced status, the text, and whether those came from the remote server.
 */
record Failure(boolean permanent, int code, String status, String text, boolean remote) {

  /** A remote server's refusal. */
  static Failure of(SmtpReply reply) {
    return new Failure(reply.isPermanent(), reply.code(), status(reply), text(reply), true);
  }

  /** A failure of our own that a later attempt may not meet (network, TLS, timeouts). */
  static Failure temporary(String status, String text) {
    return new Failure(false, 451, status, text, false);
  }

  /** A failure of our own that no later attempt can cure (the message does not fit the host). */
  static Failure permanent(int code, String status, String text) {
    return new Failure(true, code, status, text, false);
  }

  /**
   * The same failure, but only temporary (retry, never bounce): for refusals that a change on
   * either side may cure, such as a failed login, or when some hosts were only unreachable. A
   * remote reply keeps its code and text, as the server said them; the status becomes class 4.
   */
  Failure asTemporary() {
    if (!permanent) {
      return this;
    }
    return new Failure(false, remote ? code : code - 100, "4" + status.substring(1), text, remote);
  }

  RecipientResult toResult(MailAddress recipient, Target target) {
    return new RecipientResult(recipient,
        permanent ? RecipientResult.Outcome.PERMANENT : RecipientResult.Outcome.TRANSIENT,
        code, status, text, remote, target == null ? null : target.host(), target == null ? null : target.address());
  }

  /** The reply's enhanced status, or the class default ({@code 5.0.0}) when it has none. */
  static String status(SmtpReply reply) {
    return reply.status() != null ? reply.status().toString() : (reply.code() / 100) + ".0.0";
  }

  /** The reply's lines joined by spaces. */
  static String text(SmtpReply reply) {
    return String.join(" ", reply.lines());
  }
}
