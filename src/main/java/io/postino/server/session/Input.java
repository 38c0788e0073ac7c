package io.postino.server.session;

/**
 * The client's bytes not handled yet. Input is scanned in place in the array of the socket's read;
 * bytes are copied only when a line or chunk continues in the next read and the two are joined.
 * Not thread-safe: one per session, on its event loop.
 */
final class Input {

  private static final byte[] NO_BYTES = new byte[0];

  private byte[] bytes = NO_BYTES;
  private int pos;
  private int limit;

  /** Adds the bytes of a read behind what is left of the previous ones. */
  void append(byte[] more) {
    if (pos == limit) {
      bytes = more;
      pos = 0;
      limit = more.length;
      return;
    }
    int rest = limit - pos;
    byte[] joined = new byte[rest + more.length];
    System.arraycopy(bytes, pos, joined, 0, rest);
    System.arraycopy(more, 0, joined, rest, more.length);
    bytes = joined;
    pos = 0;
    limit = joined.length;
  }

  /** The array the unread bytes are in, from {@link #position()} to {@link #limit()}. */
  byte[] bytes() {
    return bytes;
  }

  int position() {
    return pos;
  }

  int limit() {
    return limit;
  }

  int remaining() {
    return limit - pos;
  }

  boolean hasRemaining() {
    return pos < limit;
  }

  /** The bytes up to {@code position} are handled. */
  void moveTo(int position) {
    pos = position;
  }

  void skip(int n) {
    pos += n;
  }

  /** Drops every unread byte; returns how many there were. */
  int skipAll() {
    int n = limit - pos;
    pos = limit;
    return n;
  }

  /** Lets go of the last read's array once everything in it is handled. */
  void releaseIfDone() {
    if (pos == limit) {
      clear();
    }
  }

  void clear() {
    bytes = NO_BYTES;
    pos = 0;
    limit = 0;
  }
}
