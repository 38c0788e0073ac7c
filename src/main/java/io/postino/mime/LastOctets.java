package io.postino.mime;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** Passes octets on and remembers the last two, so that a message can be made to end with CRLF. */
final class LastOctets extends FilterOutputStream {

  private int last = -1;
  private int beforeLast = -1;

  LastOctets(OutputStream out) {
    super(out);
  }

  @Override
  public void write(int b) throws IOException {
    out.write(b);
    beforeLast = last;
    last = b & 0xff;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
    if (len >= 2) {
      beforeLast = b[off + len - 2] & 0xff;
      last = b[off + len - 1] & 0xff;
    } else if (len == 1) {
      beforeLast = last;
      last = b[off] & 0xff;
    }
  }

  boolean endsWithLineBreak() {
    return last == '\n';
  }
}
