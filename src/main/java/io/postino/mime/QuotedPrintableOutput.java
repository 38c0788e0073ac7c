package io.postino.mime;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Quoted-printable encoding of text (RFC 2045 section 6.7) as it streams: CRLF and bare LF are
 * line breaks (written CRLF), every other octet outside 33-126 (and {@code =}) is {@code =XX},
 * white space before a line break is encoded, and lines are broken softly before 76 characters.
 * {@link #finish()} ends the text without closing the stream under it.
 */
final class QuotedPrintableOutput extends OutputStream {

  private static final int MAX = 76;
  private static final byte[] HEX = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private final OutputStream out;
  private int column;
  /** A space or tab not yet written: encoded if a line break follows, else as it is. */
  private int pendingSpace = -1;
  private boolean pendingCr;

  QuotedPrintableOutput(OutputStream out) {
    this.out = out;
  }

  @Override
  public void write(int b) throws IOException {
    int c = b & 0xff;
    if (pendingCr) {
      pendingCr = false;
      if (c == '\n') {
        lineBreak();
        return;
      }
      flushSpace(false);
      encoded('\r');
    }
    if (c == '\r') {
      pendingCr = true;
      return;
    }
    if (c == '\n') {
      lineBreak();
      return;
    }
    flushSpace(false);
    if (c == ' ' || c == '\t') {
      pendingSpace = c;
    } else if (c >= 33 && c <= 126 && c != '=') {
      literal(c);
    } else {
      encoded(c);
    }
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    for (int i = off; i < off + len; i++) {
      write(b[i]);
    }
  }

  /** Ends the text: a trailing CR or white space is encoded; no line break is added. */
  void finish() throws IOException {
    if (pendingCr) {
      pendingCr = false;
      flushSpace(false);
      encoded('\r');
    }
    flushSpace(true);
  }

  private void lineBreak() throws IOException {
    flushSpace(true);
    out.write('\r');
    out.write('\n');
    column = 0;
  }

  private void flushSpace(boolean atLineEnd) throws IOException {
    if (pendingSpace < 0) {
      return;
    }
    int c = pendingSpace;
    pendingSpace = -1;
    if (atLineEnd) {
      encoded(c);
    } else {
      literal(c);
    }
  }

  private void literal(int c) throws IOException {
    room(1);
    out.write(c);
    column++;
  }

  private void encoded(int c) throws IOException {
    room(3);
    out.write('=');
    out.write(HEX[c >> 4]);
    out.write(HEX[c & 0xf]);
    column += 3;
  }

  /** A soft line break when {@code width} more characters would not leave room for one. */
  private void room(int width) throws IOException {
    if (column + width > MAX - 1) {
      out.write('=');
      out.write('\r');
      out.write('\n');
      column = 0;
    }
  }
}
