package io.postino.mime;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Folds a header field's lines that are over {@value ContentFacts#MAX_LINE} octets (RFC 5322
 * section 2.2.3): a CRLF goes in front of the last space or tab that leaves the line short enough,
 * so the field unfolds to the same value. A line with no such white space is left as it is (there
 * is no way to fold it without changing it). Lines already short enough are copied.
 */
final class HeaderFolding {

  private HeaderFolding() {
  }

  /**
   * Writes {@code field} (its raw octets, folded lines included, without the final CRLF).
   * Returns whether anything was folded.
   */
  static boolean write(byte[] field, OutputStream out) throws IOException {
    boolean folded = false;
    int start = 0;
    while (start <= field.length) {
      int end = indexOf(field, '\n', start);
      int lineEnd = end < 0 ? field.length : end + 1;
      folded |= line(field, start, lineEnd, out);
      if (end < 0) {
        break;
      }
      start = lineEnd;
    }
    return folded;
  }

  /** One physical line, from {@code from} to {@code to} (its line break included, if any). */
  private static boolean line(byte[] b, int from, int to, OutputStream out) throws IOException {
    int contentEnd = to;
    while (contentEnd > from && (b[contentEnd - 1] == '\n' || b[contentEnd - 1] == '\r')) {
      contentEnd--;
    }
    boolean folded = false;
    int start = from;
    while (contentEnd - start > ContentFacts.MAX_LINE) {
      int at = -1;
      // a fold must leave something other than white space on the line before it
      for (int i = start + ContentFacts.MAX_LINE; i > start + 1; i--) {
        if (b[i] == ' ' || b[i] == '\t') {
          at = i;
          break;
        }
      }
      if (at < 0) {
        break;
      }
      out.write(b, start, at - start);
      out.write('\r');
      out.write('\n');
      folded = true;
      start = at;
    }
    out.write(b, start, to - start);
    return folded;
  }

  private static int indexOf(byte[] b, int c, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }
}
