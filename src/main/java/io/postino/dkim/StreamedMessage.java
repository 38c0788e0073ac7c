package io.postino.dkim;

import io.postino.spool.LeadingHeaders;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * What signing and verification share: a message read as it streams to the spool, its header
 * section kept (at most {@value #MAX_HEADER_OCTETS} octets) and handed over once complete, then its
 * body passed on in pieces, none of it kept. Used on the spool writer's context.
 */
abstract class StreamedMessage implements LeadingHeaders {

  /** Far above any real header section; what is held in memory per message at most. */
  static final int MAX_HEADER_OCTETS = 256 * 1024;

  private final HeaderSection headers = new HeaderSection(MAX_HEADER_OCTETS);
  private final byte[] scratch = new byte[8192];
  private boolean headersDone;
  private boolean wantsBody = true;

  /**
   * The header section is complete (or the message ended in it): its fields, in order, or null
   * when it was over the limit. Returns whether the body is wanted.
   */
  abstract boolean headers(List<String> fields);

  /** A piece of the body. */
  abstract void body(byte[] bytes, int offset, int length);

  /** Ends the header section if the message ended within it: call first in {@code complete()}. */
  final void endOfMessage() {
    if (!headersDone) {
      endHeaders();
    }
  }

  @Override
  public final void update(ByteBuffer content) {
    ByteBuffer in = content.duplicate();
    while (in.hasRemaining() && wantsBody) {
      int length;
      if (in.hasArray()) {
        length = in.remaining();
        piece(in.array(), in.arrayOffset() + in.position(), length);
      } else {
        length = Math.min(scratch.length, in.remaining());
        in.duplicate().get(scratch, 0, length);
        piece(scratch, 0, length);
      }
      in.position(in.position() + length);
    }
  }

  private void piece(byte[] bytes, int offset, int length) {
    if (headersDone) {
      body(bytes, offset, length);
      return;
    }
    int used = headers.update(bytes, offset, length);
    if (headers.isComplete()) {
      endHeaders();
      if (wantsBody) {
        body(bytes, offset + used, length - used);
      }
    }
  }

  private void endHeaders() {
    headersDone = true;
    wantsBody = headers(headers.overflowed() ? null : headers.fields());
  }
}
