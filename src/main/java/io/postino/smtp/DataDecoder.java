package io.postino.smtp;

import java.util.Objects;

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
 * <p>A line that starts with a dot loses that dot: dot-stuffing before another dot, and what Postfix
 * does before anything else.
 *
 * <p>Limits: once {@link #size()} would pass {@code maxSize} no more output is produced and the
 * problem is {@link Problem#TOO_BIG}, but decoding goes on to find the end of data. The output is
 * cut at exactly {@code maxSize} octets, so that it does not depend on how the input was split. A
 * NUL octet is {@link Problem#NUL} (and passed on). With {@code maxLineLength > 0}, a line longer
 * than that many octets (without its CRLF) is {@link Problem#LINE_TOO_LONG}. The first problem seen
 * in the content is kept, the same however the input was split.
 *
 * <p>Content is passed to the {@link Sink} as ranges of the input array, as long as possible: one
 * call for a chunk of plain lines.
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

  private static final byte[] CR = {'\r'};
  private static final byte[] LF = {'\n'};
  private static final byte[] CRLF = {'\r', '\n'};

  // Where the decoder stands between two octets. Only "." and ".\r" at the start of a line are
  // ever held back; a CR inside a line is content whatever follows it, so it is passed on at once
  // and CR_SEEN only remembers that the next octet decides whether it was bare.
  /** After a CRLF (or at the start): a dot here is dot-stuffing or the end of data. */
  private static final int LINE_START = 0;
  private static final int TEXT = 1;
  /** A CR has been passed on; an LF now makes it a line end. */
  private static final int CR_SEEN = 2;
  /** "." at the start of a line, held back. */
  private static final int DOT = 3;
  /** ".\r" at the start of a line, held back: an LF now ends the data. */
  private static final int DOT_CR = 4;
  private static final int DONE = 5;

  private final boolean dotTerminated;
  private final boolean normalize;
  private final long maxSize;
  private final long maxLineLength;

  private int state = LINE_START;
  /** Octets of content decided so far, those past maxSize included: where the limits are checked. */
  private long decoded;
  private long size;
  private long consumed;
  /** Octets of the current line, a bare CR or LF counting as one, the stuffing dot not at all. */
  private long lineLength;
  private Problem problem;

  /**
   * @param maxSize       the most octets of content passed to the sink, 0 or more;
   *                      {@link Long#MAX_VALUE} for no limit
   * @param maxLineLength the longest line allowed, in octets without the CRLF; 0 or less for no limit
   */
  public DataDecoder(Framing framing, BareLineEndings bareLineEndings, long maxSize, int maxLineLength) {
    if (maxSize < 0) {
      throw new IllegalArgumentException("maxSize must not be negative: " + maxSize);
    }
    this.dotTerminated = Objects.requireNonNull(framing, "framing") == Framing.DOT_TERMINATED;
    this.normalize = Objects.requireNonNull(bareLineEndings, "bareLineEndings") == BareLineEndings.NORMALIZE;
    this.maxSize = maxSize;
    this.maxLineLength = maxLineLength > 0 ? maxLineLength : Long.MAX_VALUE;
  }

  /**
   * Decodes {@code in[off, off+len)}.
   *
   * @return how many input bytes were consumed: all of them, except for DOT_TERMINATED when the
   *     end of data was found, where the count includes the final CRLF "." CRLF and the rest of the
   *     input belongs to the next command
   */
  public int decode(byte[] in, int off, int len, Sink sink) {
    Objects.checkFromIndexSize(off, len, in.length);
    Objects.requireNonNull(sink, "sink");
    int end = off + len;
    int i = off;
    // in[run, i) is content passed on as it is, emitted in one piece when something intervenes
    int run = off;
    while (i < end && state != DONE) {
      byte c = in[i];
      switch (state) {
        case TEXT -> {
          int special = skipText(in, i, end);
          if (special > i) {
            text(special - i);
            i = special;
          } else if (c == '\r') {
            output(1);
            state = CR_SEEN;
            i++;
          } else if (c == '\n') {
            bareLineEnding();
            if (normalize) {
              line(1);
              emit(in, run, i - run, sink);
              emit(CRLF, 0, 2, sink);
              output(2);
              run = i + 1;
            } else {
              text(1);
            }
            i++;
          } else {
            flag(Problem.NUL);
            text(1);
            i++;
          }
        }
        case LINE_START -> {
          if (c == '.' && dotTerminated) {
            emit(in, run, i - run, sink);
            state = DOT;
            run = ++i;
          } else {
            state = TEXT;
          }
        }
        case CR_SEEN -> {
          if (c == '\n') {
            output(1);
            lineLength = 0;
            state = LINE_START;
            i++;
          } else {
            if (normalize) {
              // the LF that bareCr adds goes after the CR, which is still in the run
              emit(in, run, i - run, sink);
              run = i;
            }
            bareCr(sink);
          }
        }
        case DOT -> {
          if (c == '\r') {
            state = DOT_CR;
            run = ++i;
          } else {
            // the leading dot is dropped: stuffing before a dot, and what Postfix does before others
            state = TEXT;
          }
        }
        case DOT_CR -> {
          if (c == '\n') {
            state = DONE;
            run = ++i;
          } else {
            // not the end: the dot is dropped and the held CR, now known to be bare, passed on
            emit(CR, 0, 1, sink);
            output(1);
            bareCr(sink);
          }
        }
        default -> throw new IllegalStateException("state " + state);
      }
    }
    emit(in, run, i - run, sink);
    consumed += i - off;
    return i - off;
  }

  /**
   * For CHUNKED framing, after the LAST chunk: a CR at the very end of the content had no LF after
   * it, so it was a bare CR: it is recorded, or under NORMALIZE completed to CRLF. No effect for
   * DOT_TERMINATED.
   */
  public void finish(Sink sink) {
    Objects.requireNonNull(sink, "sink");
    if (!dotTerminated && state == CR_SEEN) {
      bareCr(sink);
    }
  }

  /** DOT_TERMINATED: the final CRLF "." CRLF has been consumed. */
  public boolean isComplete() {
    return state == DONE;
  }

  /** Octets of content passed to the sink so far. */
  public long size() {
    return size;
  }

  /** Octets of input consumed so far, terminator included. */
  public long consumed() {
    return consumed;
  }

  /** The first problem seen, or null. */
  public Problem problem() {
    return problem;
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

  /** The first index in {@code [from, to)} of a CR, LF or NUL, or {@code to}. */
  private static int skipText(byte[] b, int from, int to) {
    int i = from;
    while (i < to && !Ascii.isCrLfNul(b[i])) {
      i++;
    }
    return i;
  }

  /**
   * The CR already passed on was not followed by LF. Under NORMALIZE an LF is added after it, so
   * the input pending up to here must have been emitted first.
   */
  private void bareCr(Sink sink) {
    bareLineEnding();
    line(1);
    if (normalize) {
      emit(LF, 0, 1, sink);
      output(1);
    }
    state = TEXT;
  }

  /** Under NORMALIZE a bare CR or LF is repaired, not a problem. */
  private void bareLineEnding() {
    if (!normalize) {
      flag(Problem.BARE_LINE_ENDING);
    }
  }

  /**
   * Accounts for {@code n} octets of one line passed on unchanged. Of the two limits, the one the
   * run crosses first is flagged, as if the octets came one by one: the problem must not depend on
   * how the input was split.
   */
  private void text(int n) {
    long lineRoom = maxLineLength - lineLength;
    long sizeRoom = maxSize - decoded;
    lineLength += n;
    decoded += n;
    boolean lineCrossed = n > lineRoom;
    boolean sizeCrossed = n > sizeRoom;
    if (lineCrossed && (!sizeCrossed || lineRoom <= sizeRoom)) {
      flag(Problem.LINE_TOO_LONG);
    } else if (sizeCrossed) {
      flag(Problem.TOO_BIG);
    }
  }

  /** Accounts for {@code n} octets of the current line that are not passed on as they are. */
  private void line(int n) {
    lineLength += n;
    if (lineLength > maxLineLength) {
      flag(Problem.LINE_TOO_LONG);
    }
  }

  /** Accounts for {@code n} octets of output that are not line content (line ends, inserted LF). */
  private void output(int n) {
    decoded += n;
    if (decoded > maxSize) {
      flag(Problem.TOO_BIG);
    }
  }

  private void flag(Problem p) {
    if (problem == null) {
      problem = p;
    }
  }

  /** Passes content on, cut at maxSize so that what the sink gets does not depend on the split. */
  private void emit(byte[] b, int off, int n, Sink sink) {
    long room = maxSize - size;
    int length = n > room ? (int) room : n;
    if (length > 0) {
      sink.accept(b, off, length);
      size += length;
    }
  }
}
