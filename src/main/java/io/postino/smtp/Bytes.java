package io.postino.smtp;

/** Byte-array scanning shared by the codecs, the session and the spool. */
public final class Bytes {

  private Bytes() {
  }

  /** The index of the first {@code c} in {@code b[from, to)}, or -1. */
  public static int indexOf(byte[] b, int from, int to, byte c) {
    for (int i = from; i < to; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }
}
