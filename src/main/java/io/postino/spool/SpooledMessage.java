package io.postino.spool;

import io.postino.authres.AuthResult;
import java.nio.file.Path;
import java.util.List;

/**
 * A message durably in the spool: its envelope and where its content lies (a byte range of the
 * spool file, which begins with the envelope header).
 *
 * @param authResults the sender authentication results found as it was received (those of its
 *                    {@code Authentication-Results:} field, see {@link LeadingHeaders#authResults()});
 *                    kept in memory only: empty once the message is read back from the spool file
 */
public record SpooledMessage(Envelope envelope, Path file, long contentOffset, long contentLength,
    List<AuthResult> authResults) {

  public SpooledMessage {
    authResults = List.copyOf(authResults);
  }

  /** A message without (known) authentication results. */
  public SpooledMessage(Envelope envelope, Path file, long contentOffset, long contentLength) {
    this(envelope, file, contentOffset, contentLength, List.of());
  }

  public String queueId() {
    return envelope.queueId();
  }
}
