package io.postino.server.session;

import io.postino.smtp.Bytes;
import io.postino.smtp.Replies;
import io.postino.smtp.SmtpReply;

/**
 * Reads one CRLF-terminated line under a length limit from the session's {@link Input}: command
 * lines and responses to AUTH challenges alike. A line that has started arriving is under the
 * command deadline of the {@link SessionClock} until its LF.
 *
 * <p>SECURITY: a line is only ever handed on when it ended with CRLF within the limit. Once the
 * unfinished line reaches the limit, the rest of it, up to its LF, is discarded unread and the line
 * is reported too long: the remainder must never run as a command of its own.
 *
 * <p>{@link #next} returns the length of the line's text (CRLF excluded), which starts at
 * {@link #start()} in {@link Input#bytes()}, or a negative outcome; nothing is allocated.
 */
final class LineReader {

  /** No complete line yet. */
  static final int INCOMPLETE = -1;
  /** The unfinished line reached the limit: its rest is being discarded, and TOO_LONG follows at its end. */
  static final int OVERFLOW = -2;
  /** The line was longer than the limit. */
  static final int TOO_LONG = -3;
  /** The line ended with a bare LF, or was only an LF. */
  static final int BAD_ENDING = -4;

  private final Input input;
  private final SessionClock clock;
  private boolean discarding;
  private int start;

  LineReader(Input input, SessionClock clock) {
    this.input = input;
    this.clock = clock;
  }

  /** @param limit the longest line accepted, CRLF included */
  int next(int limit) {
    byte[] in = input.bytes();
    int pos = input.position();
    int lf = Bytes.indexOf(in, pos, input.limit(), (byte) '\n');
    if (discarding) {
      if (lf < 0) {
        input.skipAll();
        return INCOMPLETE;
      }
      input.moveTo(lf + 1);
      discarding = false;
      clock.lineEnded();
      return TOO_LONG;
    }
    if (lf < 0) {
      clock.lineStarted();
      if (input.remaining() >= limit) {
        // the rest of this line is dropped unread: it must never run as a command
        input.skipAll();
        discarding = true;
        return OVERFLOW;
      }
      return INCOMPLETE;
    }
    start = pos;
    input.moveTo(lf + 1);
    clock.lineEnded();
    if (lf + 1 - pos > limit) {
      return TOO_LONG;
    }
    if (lf == pos || in[lf - 1] != '\r') {
      return BAD_ENDING;
    }
    return lf - 1 - pos;
  }

  /** Where the text of the line {@link #next} last returned starts. */
  int start() {
    return start;
  }

  /** The reply to a line {@link #next} refused, or null when it only needs more input. */
  static SmtpReply refusal(int outcome) {
    return switch (outcome) {
      case TOO_LONG -> Replies.LINE_TOO_LONG;
      case BAD_ENDING -> Replies.BAD_CHARACTER;
      default -> null;
    };
  }

  /** Forgets the unfinished line (the input it was in is gone: TLS starts afresh). */
  void reset() {
    discarding = false;
    clock.lineEnded();
  }
}
