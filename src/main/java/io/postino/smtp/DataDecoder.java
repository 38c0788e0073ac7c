package io.postino.smtp;

/**
 * Decodes message content as a byte stream, in chunks of any size, holding no more than a few
 * bytes of state between chunks.
 *
 * <p>For {@link Framing#DOT_TERMINATED} (DATA) it removes dot-stuffing and finds the end of data,
 * which is only ever CRLF "." CRLF (the CRLF that ended the DATA command counts as the first one,
 * so ".\r\n" at once is an empty message). For {@link Framing#CHUNKED} (BDAT) content is passed
 * through unchanged and the caller counts the chunk size; the same line-ending checks apply.
 *
 * <p>SMTP smuggling: a bare LF or a bare CR (one not part of CRLF) is never a line end. Under
 * {@link BareLineEndings#REJECT} it is passed through and recorded as {@link Problem#BARE_LINE_ENDING}
 * (the caller refuses the message after the end of data); under {@link BareLineEndings#NORMALIZE}
 * it is replaced by CRLF in the output, still without ending the message or starting a line for
 * dot handling. {@code \n.\n}, {@code \n.\r\n}, {@code \r.\r\n} and {@code \r\n.\r} followed by
 * anything but LF never end the data.
 *
 * <p>Limits: once {@link #size()} would pass {@code maxSize} no more output is produced and the
 * problem is {@link Problem#TOO_BIG}, but decoding goes on to find the end of data. A NUL octet is
 * {@link Problem#NUL}. With {@code maxLineLength > 0}, a line longer than that many octets (without
 * its CRLF) is {@link Problem#LINE_TOO_LONG}. The first problem seen is kept.
 *
 * <p>Not thread-safe; one instance per message.
 */
public final class DataDecoder {

  public enum Framing { DOT_TERMINATED, CHUNKED }

  public enum BareLineEndings { REJECT, NORMALIZE }

  public enum Problem { BARE_LINE_ENDING, NUL, LINE_TOO_LONG, TOO_BIG }

  /** Receives decoded content: a range of the input array or of a constant; copy it if kept. */
  @FunctionalInterface
  public interface Sink {
    void accept(byte[] bytes, int offset, int length);
  }

  public DataDecoder(Framing framing, BareLineEndings bareLineEndings, long maxSize, int maxLineLength) {
    throw new UnsupportedOperationException("not implemented");
  }

  /**
   * Decodes {@code in[off, off+len)}.
   *
   * @return how many input bytes were consumed: all of them, except for DOT_TERMINATED when the
   *     end of data was found, where the count includes the final CRLF "." CRLF and the rest of the
   *     input belongs to the next command
   */
  public int decode(byte[] in, int off, int len, Sink sink) {
    throw new UnsupportedOperationException("not implemented");
  }

  /**
   * For CHUNKED framing, after the LAST chunk: a CR still held back at the end of the content is
   * a bare CR; emit or normalize it. No effect for DOT_TERMINATED.
   */
  public void finish(Sink sink) {
    throw new UnsupportedOperationException("not implemented");
  }

  /** DOT_TERMINATED: the final CRLF "." CRLF has been consumed. */
  public boolean isComplete() {
    throw new UnsupportedOperationException("not implemented");
  }

  /** Octets of content passed to the sink so far. */
  public long size() {
    throw new UnsupportedOperationException("not implemented");
  }

  /** Octets of input consumed so far, terminator included. */
  public long consumed() {
    throw new UnsupportedOperationException("not implemented");
  }

  /** The first problem seen, or null. */
  public Problem problem() {
    throw new UnsupportedOperationException("not implemented");
  }

  /** The reply for {@link #problem()}, or null when there is none. */
  public SmtpReply problemReply() {
    Problem p = problem();
    if (p == null) {
      return null;
    }
    return switch (p) {
      case BARE_LINE_ENDING -> Replies.BARE_LINE_ENDING;
      case NUL -> Replies.NUL_IN_CONTENT;
      case LINE_TOO_LONG -> Replies.CONTENT_LINE_TOO_LONG;
      case TOO_BIG -> Replies.MESSAGE_TOO_BIG;
    };
  }
}
