package io.postino.server.session;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * The client's bytes not handled yet. Input is scanned in place in the array of the socket's read;
 * bytes are copied only when a line or chunk continues in the next read and the two are joined.
 * Not thread-safe: one per session, on its event loop.
 *
 * <p>The array is the read's own, not a copy: Vert.x hands a socket's handler an unpooled heap
 * buffer that nothing else writes to or reuses (it copies Netty's pooled read buffer into one for
 * that reason), so it may be kept for as long as its bytes are unread. A flood of content that is
 * refused and discarded (an over-long command line, a message past the size limit) then costs one
 * short-lived array per read, not two.
 */
final class Input {

  private static final byte[] NO_BYTES = new byte[0];

  private byte[] bytes = NO_BYTES;
  private int pos;
  private int limit;

  /** Adds the bytes of a read behind what is left of the previous ones. */
  void append(Buffer read) {
    ByteBuf buf = read instanceof BufferInternal internal ? internal.getByteBuf() : null;
    if (buf != null && buf.hasArray()) {
      append(buf.array(), buf.arrayOffset() + buf.readerIndex(), buf.readableBytes());
    } else {
      byte[] copy = read.getBytes();
      append(copy, 0, copy.length);
    }
  }

  /** Adds {@code length} bytes of {@code more} from {@code offset}, which are not written to afterwards. */
  void append(byte[] more, int offset, int length) {
    if (pos == limit) {
      bytes = more;
      pos = offset;
      limit = offset + length;
      return;
    }
    int rest = limit - pos;
    byte[] joined = new byte[rest + length];
    System.arraycopy(bytes, pos, joined, 0, rest);
    System.arraycopy(more, offset, joined, rest, length);
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
