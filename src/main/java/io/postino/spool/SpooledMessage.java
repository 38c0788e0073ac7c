package io.postino.spool;

import io.postino.authres.AuthResult;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A message durably in the spool: its envelope and where its content lies (a byte range of the
 * spool file, which begins with the envelope header).
 *
 * @param file        the message's spool file in {@code incoming}; a resident message (see
 *                    {@code memory}) may not have it yet
 * @param authResults the sender authentication results found as it was received (those of its
 *                    {@code Authentication-Results:} field, see {@link LeadingHeaders#authResults()});
 *                    kept in memory only: empty once the message is read back from the spool file
 * @param memory      while the spool keeps the message in memory (see {@code ResidentMessages}),
 *                    its whole file (exactly what the file will hold, read-only); null when it
 *                    is to be read from the file, as it is once the spool has written it. Read
 *                    through {@link #content()}
 */
public record SpooledMessage(Envelope envelope, Path file, long contentOffset, long contentLength,
    List<AuthResult> authResults, Supplier<ByteBuffer> memory) {

  public SpooledMessage {
    authResults = List.copyOf(authResults);
  }

  /** A message whose content is read from its file. */
  public SpooledMessage(Envelope envelope, Path file, long contentOffset, long contentLength,
      List<AuthResult> authResults) {
    this(envelope, file, contentOffset, contentLength, authResults, null);
  }

  /** A message without (known) authentication results. */
  public SpooledMessage(Envelope envelope, Path file, long contentOffset, long contentLength) {
    this(envelope, file, contentOffset, contentLength, List.of());
  }

  public String queueId() {
    return envelope.queueId();
  }

  /**
   * The content in memory (read-only, a position of its own: the caller may consume it), or null
   * when it is to be read from {@link #file()} at {@link #contentOffset()}, which then exists.
   */
  public ByteBuffer content() {
    ByteBuffer whole = memory == null ? null : memory.get();
    return whole == null ? null : whole.position((int) contentOffset).slice();
  }

  /** Equal as spooled messages: whether the content is also in memory does not matter. */
  @Override
  public boolean equals(Object o) {
    return o instanceof SpooledMessage m && envelope.equals(m.envelope) && file.equals(m.file)
        && contentOffset == m.contentOffset && contentLength == m.contentLength && authResults.equals(m.authResults);
  }

  @Override
  public int hashCode() {
    return Objects.hash(envelope, file, contentOffset, contentLength, authResults);
  }

  /** The same message, its content read from {@code wholeFile} (the spool file's octets) while it is there. */
  SpooledMessage inMemory(Supplier<ByteBuffer> wholeFile) {
    return new SpooledMessage(envelope, file, contentOffset, contentLength, authResults, wholeFile);
  }
}
