package io.postino.authres;

import io.vertx.core.Future;
import java.util.List;

/**
 * A check of a message's author domain against the results of the other methods, made once its
 * DKIM signatures are verified: DMARC. Implemented in its own package, called where the
 * verification completes, so that DKIM need not know DMARC.
 */
public interface AuthorPolicy {

  /** What the policy says of a message: the results to add, and what to do with it. */
  record Outcome(List<AuthResult> results, Disposition disposition, String reason) {

    public Outcome {
      results = List.copyOf(results);
    }
  }

  /** What becomes of a message. */
  enum Disposition {
    /** Delivered as it is. */
    ACCEPT,
    /** Delivered, marked as suspect (a header field). */
    QUARANTINE,
    /** Refused at the end of the content; neither delivered nor kept. */
    REJECT
  }

  /**
   * @param authorDomain the lower-case domain of the message's single {@code From:} mailbox, or null
   *                     when it has none (no From, several, a group)
   * @param results      the results so far (SPF, DKIM, ...)
   * @return never fails
   */
  Future<Outcome> evaluate(String authorDomain, List<AuthResult> results);

  /** The header field (CRLF-terminated) that marks a quarantined message, or null for none. */
  String quarantineField(Outcome outcome);
}
