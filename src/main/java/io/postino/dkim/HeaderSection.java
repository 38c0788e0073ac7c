package io.postino.dkim;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the header section at the start of a message as its octets stream past, up to the
 * empty line that ends it (or the end of the message), and splits it into fields. Holds no more
 * than {@code limit} octets: a longer header section is given up ({@link #overflowed}).
 * Pure; not thread-safe.
 */
final class HeaderSection {

  private final int limit;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(2048);
  /** How much of CRLF CRLF has just been seen: 0 to 4. */
  private int matched;
  private boolean started;
  private boolean complete;
  private boolean overflowed;

  HeaderSection(int limit) {
    this.limit = limit;
  }

  /**
   * Takes octets; returns how many belonged to the header section (the empty line included), so
   * that the rest is the body's.
   */
  int update(byte[] b, int offset, int length) {
    if (complete) {
      return 0;
    }
    int i = offset;
    int end = offset + length;
    // the first line being empty means no header at all
    if (!started) {
      started = true;
      matched = 2;
    }
    while (i < end && !complete) {
      byte c = b[i++];
      if (c == '\r' && (matched == 0 || matched == 2)) {
        matched++;
      } else if (c == '\n' && (matched == 1 || matched == 3)) {
        matched++;
      } else {
        matched = c == '\r' ? 1 : 0;
      }
      complete = matched == 4;
    }
    int used = i - offset;
    if (!overflowed) {
      if (bytes.size() + used > limit) {
        overflowed = true;
        bytes.reset();
      } else {
        bytes.write(b, offset, used);
      }
    }
    return used;
  }

  boolean isComplete() {
    return complete;
  }

  boolean overflowed() {
    return overflowed;
  }

  /** The header fields in message order, each without its final CRLF; the message ended when not complete. */
  List<String> fields() {
    String text = bytes.toString(StandardCharsets.ISO_8859_1);
    List<String> fields = new ArrayList<>();
    int start = 0;
    while (start < text.length()) {
      int eol = text.indexOf("\r\n", start);
      if (eol < 0) {
        eol = text.length();
      }
      if (eol == start) {
        break;
      }
      String line = text.substring(start, eol);
      if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && !fields.isEmpty()) {
        int last = fields.size() - 1;
        fields.set(last, fields.get(last) + "\r\n" + line);
      } else if (line.indexOf(':') > 0) {
        fields.add(line);
      }
      start = Math.min(text.length(), eol + 2);
    }
    return fields;
  }
}
