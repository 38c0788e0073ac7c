package io.postino.smtp;

/**
 * Encodes message content for the DATA command as a byte stream, in chunks of any size, holding
 * no bytes back between chunks: a dot at the start of a line is doubled (RFC 5321 section
 * 4.5.2), and {@link #finish} ends the content with CRLF "." CRLF, adding the CRLF the last line
 * lacks.
 *
 * <p>SECURITY: every bare CR and every bare LF (one not part of a CRLF) is sent as CRLF, and the
 * line after it is dot-stuffed like any other. Whatever the spool holds, the peer therefore sees
 * only CRLF line ends, so no sequence we relay can be read by a lenient server as an end of data
 * followed by a second, smuggled message ({@code \n.\n}, {@code \r.\r\n}...).
 *
 * <p>The output is passed to the {@link DataDecoder.Sink} as ranges of the input array, as long
 * as possible, or of small constants; copy them if kept.
 *
 * <p>Not thread-safe; one instance per message.
 */
public final class DataEncoder {

  private static final byte[] DOT = {'.'};
  private static final byte[] CR = {'\r'};
  private static final byte[] LF = {'\n'};
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] END = {'.', '\r', '\n'};

  /** After a line end (or at the start): a dot here must be doubled. */
  private static final int LINE_START = 0;
  private static final int TEXT = 1;
  /** A CR has been passed on; an LF now completes it, anything else makes it bare. */
  private static final int CR_SEEN = 2;
  private static final int FINISHED = 3;

  private int state = LINE_START;
  private int highBits;
  private long written;

  /** Encodes the next chunk of content. */
  public void encode(byte[] bytes, int offset, int length, DataDecoder.Sink out) {
    if (state == FINISHED) {
      throw new IllegalStateException("finished");
    }
    int end = offset + length;
    int run = offset;
    int s = state;
    int high = 0;
    for (int i = offset; i < end; i++) {
      byte b = bytes[i];
      high |= b;
      if (s == CR_SEEN) {
        if (b == '\n') {
          s = LINE_START;
          continue;
        }
        // a bare CR: complete it, then this octet starts a line
        run = emit(bytes, run, i, out);
        emit(LF, out);
        s = LINE_START;
      }
      if (s == LINE_START && b == '.') {
        run = emit(bytes, run, i, out);
        emit(DOT, out);
        s = TEXT;
        continue;
      }
      if (b == '\r') {
        s = CR_SEEN;
      } else if (b == '\n') {
        // a bare LF: put a CR before it
        run = emit(bytes, run, i, out);
        emit(CR, out);
        s = LINE_START;
      } else {
        s = TEXT;
        // the rest of the line needs nothing done: pass over it in a tight loop to its end
        while (i + 1 < end) {
          byte next = bytes[i + 1];
          if (next == '\r' || next == '\n') {
            break;
          }
          high |= next;
          i++;
        }
      }
    }
    emit(bytes, run, end, out);
    state = s;
    highBits |= high;
  }

  /** Ends the content: completes the last line and writes the terminating "." line. */
  public void finish(DataDecoder.Sink out) {
    if (state == FINISHED) {
      throw new IllegalStateException("finished");
    }
    if (state == CR_SEEN) {
      emit(LF, out);
    } else if (state == TEXT) {
      emit(CRLF, out);
    }
    emit(END, out);
    state = FINISHED;
  }

  /** True when the content seen so far has an octet above 127 (it needs 8BITMIME). */
  public boolean sawEightBit() {
    return highBits < 0;
  }

  /** Octets written to the sink so far. */
  public long written() {
    return written;
  }

  private int emit(byte[] bytes, int from, int to, DataDecoder.Sink out) {
    if (to > from) {
      out.accept(bytes, from, to - from);
      written += to - from;
    }
    return to;
  }

  private void emit(byte[] constant, DataDecoder.Sink out) {
    out.accept(constant, 0, constant.length);
    written += constant.length;
  }
}
