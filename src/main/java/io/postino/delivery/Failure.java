package io.postino.delivery;

import io.postino.bus.RecipientResult;
import io.postino.smtp.MailAddress;
import io.postino.smtp.SmtpReply;

/**
 * Why a delivery did not happen, as a {@link RecipientResult} reports it: permanent or not, the
 * SMTP code and enhanced status, the text, and whether those came from the remote server.
 */
record Failure(boolean permanent, int code, String status, String text, boolean remote) {

  /**
   * A remote server's refusal, or a reply that is not the success it should be. A 4xx or 5xx reply
   * keeps its enhanced status when the status has the reply's class, else gets the class default
   * ({@code 4.0.0}, {@code 5.0.0}). Any other reply (a 3xx where a 2xx was due, a 2xx where the
   * protocol allows none, a code out of range) is a protocol error that may pass: a temporary
   * failure with status {@code 4.5.0}, never a status of class 2 or 3 (RFC 3463 allows only
   * 2, 4 and 5, and 2 is success).
   */
  static Failure of(SmtpReply reply) {
    int cls = reply.code() / 100;
    if (cls == 4 || cls == 5) {
      return new Failure(cls == 5, reply.code(), status(reply), text(reply), true);
    }
    return new Failure(false, reply.code(), "4.5.0", "unexpected reply: " + text(reply), true);
  }

  /** Success, after RCPT and after the end of the content: a 2xx reply and nothing else. */
  static boolean isSuccess(SmtpReply reply) {
    return reply.code() / 100 == 2;
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
        code, status, text, remote, target == null ? null : target.host(), target == null ? null : target.address(),
        target == null ? 0 : target.port(), 0, 0);
  }

  /**
   * The reply's enhanced status, or the class default ({@code 5.0.0}) when it has none or one of
   * another class than the reply's (a {@code 250 5.1.1} is a success all the same).
   */
  static String status(SmtpReply reply) {
    String status = reply.status() == null ? null : reply.status().toString();
    char cls = (char) ('0' + reply.code() / 100);
    return status != null && status.charAt(0) == cls ? status : cls + ".0.0";
  }

  /** The reply's lines joined by spaces. */
  static String text(SmtpReply reply) {
    return String.join(" ", reply.lines());
  }
}
