package io.postino.smtp;

import java.nio.charset.StandardCharsets;

/**
 * Byte-level character classes and helpers for the command parser. The classes follow the ABNF
 * of RFC 5321 section 4.1.2 and RFC 3461; octets 0x80 and above are UTF-8 (the line is validated
 * first) and count as letters wherever RFC 6531 lets non-ASCII in.
 */
final class Ascii {

  /** RFC 5322 atext, plus UTF-8 (RFC 6531). */
  static final int ATEXT = 1;
  /** Letter, digit or hyphen of a domain label, plus UTF-8 (U-labels). */
  static final int LDH = 1 << 1;
  static final int HEX = 1 << 2;
  /** qtextSMTP (RFC 5321), plus UTF-8. */
  static final int QTEXT = 1 << 3;
  /** dcontent of an address literal (ASCII only). */
  static final int DCONTENT = 1 << 4;
  /** esmtp-value (RFC 5321), plus UTF-8 (RFC 6531). */
  static final int VALUE = 1 << 5;
  /** A printable character of an argument: anything but controls, plus UTF-8. */
  static final int PRINTABLE = 1 << 6;
  /** ASCII letter, digit or hyphen: ESMTP keywords and address literal tags. */
  static final int KEYWORD = 1 << 7;
  /** Printable US-ASCII, no space. */
  static final int GRAPHIC = 1 << 8;

  private static final int UTF8 = ATEXT | LDH | QTEXT | VALUE | PRINTABLE;

  private static final short[] CLASSES = new short[256];

  static {
    for (int c = 0x21; c <= 0x7e; c++) {
      int k = PRINTABLE | GRAPHIC;
      if (c != '=') {
        k |= VALUE;
      }
      if (c != '"' && c != '\\') {
        k |= QTEXT;
      }
      if (c != '[' && c != '\\' && c != ']') {
        k |= DCONTENT;
      }
      if (isAlpha(c) || (c >= '0' && c <= '9') || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0) {
        k |= ATEXT;
      }
      if (isAlpha(c) || (c >= '0' && c <= '9') || c == '-') {
        k |= LDH | KEYWORD;
      }
      if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f')) {
        k |= HEX;
      }
      CLASSES[c] = (short) k;
    }
    CLASSES[' '] = QTEXT | PRINTABLE;
    for (int c = 0x80; c <= 0xff; c++) {
      CLASSES[c] = UTF8;
    }
  }

  private Ascii() {
  }

  private static boolean isAlpha(int c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  }

  static boolean is(byte b, int klass) {
    return (CLASSES[b & 0xff] & klass) != 0;
  }

  /** The first index in {@code [from, to)} whose octet is not of {@code klass}, or {@code to}. */
  static int skip(byte[] b, int from, int to, int klass) {
    int i = from;
    while (i < to && (CLASSES[b[i] & 0xff] & klass) != 0) {
      i++;
    }
    return i;
  }

  /** CR, LF or NUL: the octets that framing and smuggling checks care about. */
  static boolean isCrLfNul(byte c) {
    return (c & 0xff) <= '\r' && (c == '\r' || c == '\n' || c == 0);
  }

  static int skipSpaces(byte[] b, int from, int to) {
    int i = from;
    while (i < to && b[i] == ' ') {
      i++;
    }
    return i;
  }

  /** Like {@link Bytes#indexOf} but {@code to} when absent, which suits the parser's ranges. */
  static int indexOf(byte[] b, int from, int to, byte c) {
    int i = Bytes.indexOf(b, from, to, c);
    return i < 0 ? to : i;
  }

  /** True when {@code b[from, to)} equals {@code upper} ignoring ASCII case; upper is upper case. */
  static boolean equalsIgnoreCase(byte[] b, int from, int to, byte[] upper) {
    if (to - from != upper.length) {
      return false;
    }
    for (int i = 0; i < upper.length; i++) {
      int c = b[from + i];
      if (c >= 'a' && c <= 'z') {
        c -= 'a' - 'A';
      }
      if (c != upper[i]) {
        return false;
      }
    }
    return true;
  }

  /** True when {@code b[from, to)} starts with {@code upper}, ignoring ASCII case. */
  static boolean startsWithIgnoreCase(byte[] b, int from, int to, byte[] upper) {
    return to - from >= upper.length && equalsIgnoreCase(b, from, from + upper.length, upper);
  }

  /** The decimal number {@code b[from, to)}, or -1 when it is empty, not all digits or too big. */
  static long parseDigits(byte[] b, int from, int to) {
    if (from == to) {
      return -1;
    }
    long v = 0;
    for (int i = from; i < to; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 9 || v > (Long.MAX_VALUE - d) / 10) {
        return -1;
      }
      v = v * 10 + d;
    }
    return v;
  }

  static int hexValue(byte b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    int c = b | 0x20;
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return -1;
  }

  static byte[] bytes(String ascii) {
    return ascii.getBytes(StandardCharsets.US_ASCII);
  }

  /** The text of {@code b[from, to)}, which is valid UTF-8. */
  static String string(byte[] b, int from, int to) {
    return new String(b, from, to - from, StandardCharsets.UTF_8);
  }
}
