package io.postino.dkim;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The SHA-256 hash of a message body under one {@link Canonicalization}, computed as the body
 * streams past (RFC 6376 section 3.4.3 and 3.4.4, and section 3.7's body hash): octets go in as
 * they come, in chunks split anywhere, and only what canonicalisation must wait for is held (a
 * count of empty lines, whether white space was seen, a CR). Lines end with CRLF; a lone CR or LF
 * is an ordinary octet. Pure: no I/O. Not thread-safe.
 */
public final class BodyHash {

  private final boolean relaxed;
  /** How many canonical octets are hashed ({@code l=}); negative: all. */
  private final long limit;
  private long hashed;
  private final MessageDigest digest;
  private final byte[] out = new byte[8192];
  private int outLength;

  private boolean lineStart = true;
  private boolean cr;
  /** Empty lines not hashed yet: dropped if nothing but empty lines follows them. */
  private long emptyLines;
  /** Relaxed: white space seen since the last other octet of the line. */
  private boolean space;
  private boolean anyLine;

  public BodyHash(Canonicalization canonicalization) {
    this(canonicalization, -1);
  }

  /** A hash of the first {@code limit} octets of the canonical body (a signature's {@code l=}); negative: all. */
  public BodyHash(Canonicalization canonicalization, long limit) {
    this.relaxed = canonicalization == Canonicalization.RELAXED;
    this.limit = limit;
    try {
      this.digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  public void update(byte[] bytes, int offset, int length) {
    for (int i = offset; i < offset + length; i++) {
      byte b = bytes[i];
      if (cr) {
        cr = false;
        if (b == '\n') {
          endLine();
          continue;
        }
        content((byte) '\r');
      }
      if (b == '\r') {
        cr = true;
      } else {
        content(b);
      }
    }
  }

  private void content(byte b) {
    if (relaxed && (b == ' ' || b == '\t')) {
      space = true;
      return;
    }
    if (lineStart) {
      for (; emptyLines > 0; emptyLines--) {
        emit((byte) '\r');
        emit((byte) '\n');
      }
      lineStart = false;
    }
    if (space) {
      emit((byte) ' ');
      space = false;
    }
    emit(b);
  }

  private void endLine() {
    // relaxed: white space at the end of a line goes, and a line of only white space is empty
    space = false;
    if (lineStart) {
      emptyLines++;
    } else {
      emit((byte) '\r');
      emit((byte) '\n');
      lineStart = true;
    }
  }

  /** The body hash; the hasher cannot be used afterwards. */
  public byte[] digest() {
    if (cr) {
      cr = false;
      content((byte) '\r');
    }
    space = false;
    if (!lineStart) {
      // a body that does not end with CRLF gets one
      emit((byte) '\r');
      emit((byte) '\n');
    } else if (!relaxed && !anyLine) {
      // simple: an empty body is one CRLF (section 3.4.3); relaxed leaves it empty
      emit((byte) '\r');
      emit((byte) '\n');
    }
    digest.update(out, 0, outLength);
    outLength = 0;
    return digest.digest();
  }

  private void emit(byte b) {
    anyLine = true;
    if (limit >= 0 && hashed >= limit) {
      return;
    }
    hashed++;
    if (outLength == out.length) {
      digest.update(out, 0, outLength);
      outLength = 0;
    }
    out[outLength++] = b;
  }
}
