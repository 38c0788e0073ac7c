package io.postino.bus;

import java.util.Base64;

/**
 * The octets a send request may still bring, charged as its content is read from JSON: a string
 * or a base64 value too large for what is left is refused before it is copied or decoded, so a
 * request over the limit costs no more memory than the JSON it came in.
 */
final class ContentBudget {

  private final long limit;
  private long left;

  ContentBudget(long limit) {
    this.limit = limit;
    this.left = limit;
  }

  /**
   * Charges a text by its length in chars, a lower bound of its UTF-8 octets (the
   * exact size is checked on the message built from it).
   */
  String text(String text, String what) {
    charge(text.length(), what);
    return text;
  }

  /** The decoded octets of standard base64 (RFC 4648 section 4, no line breaks), charged. */
  byte[] base64(String base64, String what) {
    // decoding gives at least 3 octets for each 4 characters, less at most 2 for the padding
    ensure((long) base64.length() / 4 * 3 - 2, what);
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " is not valid base64: " + e.getMessage());
    }
    charge(bytes.length, what);
    return bytes;
  }

  /** Refuses the request when at least {@code octets} more would not fit. */
  private void ensure(long octets, String what) {
    if (octets > left) {
      throw new IllegalArgumentException("message too large: " + what + " takes it over " + limit + " octets");
    }
  }

  private void charge(long octets, String what) {
    ensure(octets, what);
    left -= octets;
  }
}
