package io.postino.smtp;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Removes from a message's header section, as its content streams through, every
 * {@code Authentication-Results:} field that claims this server's authserv-id (RFC 8601 section
 * 5): only this server may speak in its name, so a result a sender wrote there in advance (a
 * forged {@code dkim=pass}) must not reach a reader who trusts it. Fields of other ADMDs, and
 * {@code ARC-Authentication-Results:} (which belong to their ARC sets, and whose removal would break
 * them), pass unchanged.
 *
 * <p>A filter between the DATA decoder and the spool that holds back as little as the header
 * completion after it: the start of a line, up to a field name's worth (as {@link SubmissionHeaders}
 * does: a longer one starts the body), and an {@code Authentication-Results} field up to its
 * authserv-id (at most {@value #MAX_HELD} octets: a field that hides its authserv-id behind more
 * comments and folding is removed too); never the message, so what the client sent reaches the
 * spool, and its per-client budget, as it comes. The authserv-id is compared without regard to
 * case, a final dot ignored; comments and folding before it are skipped, a quoted one unquoted.
 * The header section ends at the first empty line or the first line that is no header field.
 * Content must have CRLF line endings, as the DATA decoder delivers it.
 */
public final class ForgedResultsFilter implements DataDecoder.Sink {

  /** More than a field name and an authserv-id (a host name, at most 255 octets) ever need. */
  static final int MAX_HELD = 1024;

  private static final byte[] NAME = "authentication-results".getBytes(StandardCharsets.US_ASCII);

  private enum State {
    /** At the start of a header line. */
    LINE_START,
    /** Reading a field name, held. */
    NAME,
    /** In an Authentication-Results field before its authserv-id is known, held. */
    ID,
    /** Held as well: a line of that field has ended, and the next octet says whether it goes on. */
    ID_LINE_START,
    /** In a field that passes. */
    PASS,
    /** In a field being removed. */
    DROP,
    /** A line of the removed field has ended. */
    DROP_LINE_START,
    /** Past the header section: everything passes. */
    BODY
  }

  private final String authservId;
  private final DataDecoder.Sink out;
  private final byte[] held = new byte[MAX_HELD];
  private final byte[] one = new byte[1];
  private int heldLength;
  /** White space followed the field name: only more of it or the colon may come. */
  private boolean nameEnded;
  private boolean fieldSeen;
  /** Where the value starts in {@link #held}: after the colon. */
  private int valueStart;
  private State state = State.LINE_START;
  private int removed;

  /**
   * @param authservId this server's authserv-id (its host name)
   * @param out        where the content goes, without the forged fields
   */
  public ForgedResultsFilter(String authservId, DataDecoder.Sink out) {
    this.authservId = normalise(authservId);
    this.out = out;
  }

  /** How many fields were removed so far. */
  public int removed() {
    return removed;
  }

  @Override
  public void accept(byte[] b, int offset, int length) {
    int end = offset + length;
    int i = offset;
    while (i < end) {
      if (state == State.BODY) {
        out.accept(b, i, end - i);
        return;
      }
      if (state == State.PASS) {
        // the rest of the line passes at once
        int lf = Bytes.indexOf(b, i, end, (byte) '\n');
        int stop = lf < 0 ? end : lf + 1;
        out.accept(b, i, stop - i);
        i = stop;
        if (lf >= 0) {
          state = State.LINE_START;
        }
        continue;
      }
      if (state == State.DROP) {
        int lf = Bytes.indexOf(b, i, end, (byte) '\n');
        i = lf < 0 ? end : lf + 1;
        if (lf >= 0) {
          state = State.DROP_LINE_START;
        }
        continue;
      }
      step(b[i++]);
    }
  }

  /** One octet in the states that look at octets one by one. */
  private void step(byte c) {
    switch (state) {
      case LINE_START -> {
        if ((c == ' ' || c == '\t') && fieldSeen) {
          // a continuation of a field that passed
          pass(c, State.PASS);
        } else if (c >= 33 && c <= 126 && c != ':') {
          hold(c);
          nameEnded = false;
          state = State.NAME;
        } else {
          // the empty line, or a line that is no field: the body begins
          pass(c, State.BODY);
        }
      }
      case NAME -> {
        boolean space = c == ' ' || c == '\t';
        if (c == ':') {
          hold(c);
          valueStart = heldLength;
          fieldSeen = true;
          state = isResultsField() ? State.ID : release(State.PASS);
        } else if (heldLength < SubmissionHeaders.MAX_FIELD_NAME && (space || !nameEnded && c >= 33 && c <= 126)) {
          hold(c);
          nameEnded |= space;
        } else {
          release(State.BODY);
          pass(c, State.BODY);
        }
      }
      case ID_LINE_START -> {
        if (c == ' ' || c == '\t') {
          hold(c);
          state = heldLength == MAX_HELD ? drop(State.DROP) : State.ID;
        } else {
          // the field ended without an authserv-id: not ours; the octet starts the next line
          release(State.LINE_START);
          step(c);
        }
      }
      case ID -> {
        hold(c);
        if (c == '\n') {
          state = heldLength == MAX_HELD ? drop(State.DROP_LINE_START) : State.ID_LINE_START;
          return;
        }
        String id = authservId(held, valueStart, heldLength, false);
        if (id != null) {
          state = id.equals(authservId) ? drop(State.DROP) : release(State.PASS);
        } else if (heldLength == MAX_HELD) {
          state = drop(State.DROP);
        }
      }
      case DROP_LINE_START -> {
        if (c == ' ' || c == '\t') {
          state = State.DROP;
        } else {
          state = State.LINE_START;
          step(c);
        }
      }
      default -> throw new IllegalStateException(state.name());
    }
  }

  /**
   * Call once after the last content: a field still held (the message ended in it) passes, unless
   * what it has of an authserv-id is this server's.
   */
  public void finish() {
    if ((state == State.ID || state == State.ID_LINE_START)
        && authservId.equals(authservId(held, valueStart, heldLength, true))) {
      drop(State.BODY);
    }
    release(State.BODY);
  }

  private void hold(byte c) {
    held[heldLength++] = c;
  }

  private void pass(byte c, State next) {
    one[0] = c;
    out.accept(one, 0, 1);
    state = next;
  }

  /**
   * Removes the field held: it claims this server's name, or hides what it claims behind more than
   * {@value #MAX_HELD} octets of comments and folding, which no honest server writes. Returns
   * {@code next}, which becomes the state.
   */
  private State drop(State next) {
    heldLength = 0;
    removed++;
    state = next;
    return next;
  }

  /** Passes on what is held; returns {@code next}, which becomes the state. */
  private State release(State next) {
    if (heldLength > 0) {
      out.accept(held, 0, heldLength);
      heldLength = 0;
    }
    state = next;
    return next;
  }

  private boolean isResultsField() {
    int n = valueStart - 1;
    while (n > 0 && (held[n - 1] == ' ' || held[n - 1] == '\t')) {
      n--;
    }
    if (n != NAME.length) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      int c = held[i];
      if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != NAME[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The authserv-id at the start of a field value held so far (RFC 8601 section 2.2: CFWS, then a
   * token or quoted string), normalised; null while it may still go on (or, when the content
   * {@code ended}, when there is none).
   */
  static String authservId(byte[] value, int from, int to, boolean ended) {
    int i = from;
    int depth = 0;
    // comments and folding white space before it
    while (i < to) {
      byte c = value[i];
      if (depth > 0) {
        if (c == '\\') {
          i++;
        } else {
          depth += c == '(' ? 1 : c == ')' ? -1 : 0;
        }
      } else if (c == '(') {
        depth = 1;
      } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
        break;
      }
      i++;
    }
    if (i >= to) {
      return null;
    }
    StringBuilder id = new StringBuilder();
    if (value[i] == '"') {
      for (i++; i < to; i++) {
        if (value[i] == '\\' && i + 1 < to) {
          id.append((char) (value[++i] & 0xff));
        } else if (value[i] == '"') {
          return normalise(id.toString());
        } else {
          id.append((char) (value[i] & 0xff));
        }
      }
      return null;
    }
    for (; i < to; i++) {
      byte c = value[i];
      if (c == ';' || c == '(' || c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        return normalise(id.toString());
      }
      id.append((char) (c & 0xff));
    }
    return ended ? normalise(id.toString()) : null;
  }

  private static String normalise(String id) {
    String lower = id.toLowerCase(Locale.ROOT);
    return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
  }
}
