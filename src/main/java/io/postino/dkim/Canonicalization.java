package io.postino.dkim;

import java.util.Locale;

/**
 * The two canonicalisation algorithms of RFC 6376 section 3.4, for header fields and for the body
 * (see {@link BodyHash}). Header fields are handled as ISO-8859-1 strings, one char per octet, so
 * that whatever octets a field holds (UTF-8 under SMTPUTF8) come out unchanged.
 */
public enum Canonicalization {

  /** Section 3.4.1 and 3.4.3: nothing changed but empty lines at the end of the body. */
  SIMPLE,
  /** Section 3.4.2 and 3.4.4: names lower-cased, folding undone, runs of white space made one space. */
  RELAXED;

  /** The name in a {@code c=} tag. */
  public String tagName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code simple} or {@code relaxed}, in any case. */
  public static Canonicalization of(String name) {
    for (Canonicalization c : values()) {
      if (c.tagName().equalsIgnoreCase(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException("not a DKIM canonicalization (simple or relaxed): " + name);
  }

  /**
   * One header field, as it appears in the message without its final CRLF (folding CRLFs
   * included), canonicalised and followed by CRLF.
   */
  public String header(String field) {
    if (this == SIMPLE) {
      return field + "\r\n";
    }
    int colon = field.indexOf(':');
    String name = field.substring(0, colon).stripTrailing().toLowerCase(Locale.ROOT);
    StringBuilder value = new StringBuilder(field.length() - colon);
    boolean space = false;
    for (int i = colon + 1; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\r' || c == '\n') {
        // unfolding: the CRLF goes, the white space after it stays (and is reduced below)
        continue;
      }
      if (c == ' ' || c == '\t') {
        space = true;
        continue;
      }
      if (space && value.length() > 0) {
        value.append(' ');
      }
      space = false;
      value.append(c);
    }
    return name + ":" + value + "\r\n";
  }
}
