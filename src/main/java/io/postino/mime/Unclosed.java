package io.postino.mime;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** The stream under an encoder, which closing the encoder (to flush its last octets) must not close. */
final class Unclosed extends FilterOutputStream {

  Unclosed(OutputStream out) {
    super(out);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
  }

  @Override
  public void close() throws IOException {
    flush();
  }
}
