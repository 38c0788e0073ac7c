package io.postino.smtp;

import java.nio.charset.StandardCharsets;

/**
 * Adds the {@code Message-ID:} and {@code Date:} header fields a submitting client left out (RFC
 * 6409 section 8), as message content streams through: a filter between the DATA decoder and the
 * spool. The missing fields are written at the end of the header section, just before the blank
 * line, so nothing needs to wait for the answer "is it missing?" except the start of the current
 * line: at most a field name's worth of bytes is held back, never the message.
 *
 * <p>Built with {@link #reading}, it adds nothing and passes every octet on unchanged: it only
 * notes the Message-ID, which it does in both forms ({@link #messageId()}), for the log line of the
 * accepted message.
 *
 * <p>The header section ends at the first empty line, or at the first line that is not a header
 * field (no field name and colon, and not a continuation line); in the second case a blank line is
 * inserted after the added fields, so that the rest becomes the body, as it would be read anyway.
 * Content must have CRLF line endings, as the DATA decoder delivers it.
 */
public final class SubmissionHeaders implements DataDecoder.Sink {

  /** A longer "field name" is taken for the first line of a body without headers. */
  static final int MAX_FIELD_NAME = 256;

  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] MESSAGE_ID = "message-id".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DATE = "date".getBytes(StandardCharsets.US_ASCII);
  /** At most this much of a Message-ID's field body is kept (RFC 5322's line limit). */
  static final int MAX_MESSAGE_ID = 998;

  /** Where the scanner is within the current line of the header section. */
  private enum State { LINE_START, NAME, SPACE_BEFORE_COLON, VALUE, CR_AT_LINE_START }

  private final DataDecoder.Sink out;
  /** The fields to add when missing; null when reading only. */
  private final byte[] messageIdField;
  private final byte[] dateField;
  private final String addedMessageId;
  private final byte[] messageId = new byte[MAX_MESSAGE_ID];
  private int messageIdLength;
  /** Inside the (first) Message-ID field's body. */
  private boolean inMessageId;
  private final byte[] held = new byte[MAX_FIELD_NAME + 1];
  private int heldLength;
  private State state = State.LINE_START;
  private boolean inHeader = true;
  private boolean fieldSeen;
  private boolean hasMessageId;
  private boolean hasDate;

  /**
   * @param messageId the value for a missing Message-ID, angle brackets included
   * @param date      the value for a missing Date, in RFC 5322 format
   * @param out       where the content goes, with the fields added
   */
  public SubmissionHeaders(String messageId, String date, DataDecoder.Sink out) {
    this.out = out;
    this.addedMessageId = messageId;
    this.messageIdField = messageId == null ? null : ("Message-ID: " + messageId + "\r\n").getBytes(StandardCharsets.US_ASCII);
    this.dateField = date == null ? null : ("Date: " + date + "\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** A filter that adds nothing and changes nothing: it only notes the {@link #messageId()}. */
  public static SubmissionHeaders reading(DataDecoder.Sink out) {
    return new SubmissionHeaders(null, null, out);
  }

  /**
   * The message's Message-ID as far as the content has come: the field body of the first
   * Message-ID field, unfolded and trimmed (as the client wrote it, so not always valid), or the
   * one added; null when there is none (yet).
   */
  public String messageId() {
    if (hasMessageId) {
      String value = new String(messageId, 0, messageIdLength, StandardCharsets.UTF_8)
          .replace("\r\n", "").replace('\t', ' ').trim();
      return value.isEmpty() ? null : value;
    }
    return inHeader ? null : addedMessageId;
  }

  @Override
  public void accept(byte[] b, int offset, int length) {
    int end = offset + length;
    int i = offset;
    // bytes from passFrom to i are passed through unchanged once the scanner moves past them
    int passFrom = offset;
    while (inHeader && i < end) {
      byte c = b[i];
      switch (state) {
        case VALUE -> {
          int lf = Bytes.indexOf(b, i, end, (byte) '\n');
          int stop = lf < 0 ? end : lf + 1;
          if (inMessageId) {
            noteMessageId(b, i, stop);
          }
          i = stop;
          if (lf >= 0) {
            state = State.LINE_START;
          }
        }
        case LINE_START -> {
          emit(b, passFrom, i);
          passFrom = i;
          if (c == '\r') {
            hold(c);
            passFrom = ++i;
            state = State.CR_AT_LINE_START;
          } else if ((c == ' ' || c == '\t') && fieldSeen) {
            i++;
            state = State.VALUE;
          } else if (isNameChar(c)) {
            inMessageId = false;
            hold(c);
            passFrom = ++i;
            state = State.NAME;
          } else {
            endHeaderSection(true);
            passFrom = i;
          }
        }
        case NAME, SPACE_BEFORE_COLON -> {
          boolean space = c == ' ' || c == '\t';
          if (c == ':') {
            field();
            passFrom = i++;
            state = State.VALUE;
          } else if (heldLength < MAX_FIELD_NAME
              && (space || (state == State.NAME && isNameChar(c)))) {
            hold(c);
            passFrom = ++i;
            if (space) {
              state = State.SPACE_BEFORE_COLON;
            }
          } else {
            endHeaderSection(true);
            passFrom = i;
          }
        }
        case CR_AT_LINE_START -> {
          // CR LF at the start of a line: the blank line that ends the header section
          endHeaderSection(c != '\n');
          passFrom = i;
        }
      }
    }
    emit(b, passFrom, end);
  }

  /** Call once after the last content: a message that is all header section gets the fields at its end. */
  public void finish() {
    if (!inHeader) {
      return;
    }
    if (state == State.VALUE && messageIdField != null) {
      // the last line lacked its CRLF (possible with BDAT): the added fields need a line of their own
      out.accept(CRLF, 0, 2);
    }
    endHeaderSection(heldLength > 0);
  }

  /**
   * Writes the missing fields, then whatever the current line held back. With {@code separate},
   * the held line is not a field: a blank line goes between, making it the start of the body.
   */
  private void endHeaderSection(boolean separate) {
    inHeader = false;
    inMessageId = false;
    if (messageIdField != null) {
      if (!hasMessageId) {
        out.accept(messageIdField, 0, messageIdField.length);
      }
      if (!hasDate) {
        out.accept(dateField, 0, dateField.length);
      }
      if (separate) {
        out.accept(CRLF, 0, 2);
      }
    }
    emit(held, 0, heldLength);
    heldLength = 0;
  }

  /** The held name ended with a colon: a header field. */
  private void field() {
    int n = heldLength;
    while (n > 0 && (held[n - 1] == ' ' || held[n - 1] == '\t')) {
      n--;
    }
    // only the first Message-ID is noted: a second one is the client's mistake
    inMessageId = !hasMessageId && equalsIgnoreCase(held, n, MESSAGE_ID);
    hasMessageId |= inMessageId;
    hasDate |= equalsIgnoreCase(held, n, DATE);
    fieldSeen = true;
    emit(held, 0, heldLength);
    heldLength = 0;
  }

  private void noteMessageId(byte[] b, int from, int to) {
    int n = Math.min(to - from, MAX_MESSAGE_ID - messageIdLength);
    System.arraycopy(b, from, messageId, messageIdLength, n);
    messageIdLength += n;
  }

  private void hold(byte c) {
    held[heldLength++] = c;
  }

  private void emit(byte[] b, int from, int to) {
    if (to > from) {
      out.accept(b, from, to - from);
    }
  }

  /** RFC 5322 ftext: printable US-ASCII except the colon. */
  private static boolean isNameChar(byte c) {
    return c >= 33 && c <= 126 && c != ':';
  }

  private static boolean equalsIgnoreCase(byte[] b, int length, byte[] lowerCase) {
    if (length != lowerCase.length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      int c = b[i];
      if (c >= 'A' && c <= 'Z') {
        c += 'a' - 'A';
      }
      if (c != lowerCase[i]) {
        return false;
      }
    }
    return true;
  }
}
