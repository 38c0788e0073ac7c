package io.postino.smtp;

/**
 * Validates the content of an address literal, the text between {@code [} and {@code ]} (RFC 5321
 * section 4.1.3): an IPv4 address, {@code IPv6:} and an IPv6 address, or a general
 * {@code tag:content} literal.
 */
final class AddressLiterals {

  private static final byte[] IPV6_TAG = Ascii.bytes("IPV6:");

  private AddressLiterals() {
  }

  /** True when {@code b[from, to)} is a valid address literal content. */
  static boolean isValid(byte[] b, int from, int to) {
    if (Ascii.startsWithIgnoreCase(b, from, to, IPV6_TAG)) {
      return isIpv6(b, from + IPV6_TAG.length, to);
    }
    int colon = Ascii.indexOf(b, from, to, (byte) ':');
    if (colon == to) {
      return isIpv4(b, from, to);
    }
    return isGeneral(b, from, colon, to);
  }

  /** Four decimal octets 0..255 of one to three digits, separated by dots. */
  static boolean isIpv4(byte[] b, int from, int to) {
    int i = from;
    for (int part = 0; part < 4; part++) {
      if (part > 0) {
        if (i == to || b[i] != '.') {
          return false;
        }
        i++;
      }
      int start = i;
      int value = 0;
      while (i < to && i - start < 3 && b[i] >= '0' && b[i] <= '9') {
        value = value * 10 + b[i] - '0';
        i++;
      }
      if (i == start || value > 255) {
        return false;
      }
    }
    return i == to;
  }

  /**
   * The textual forms of RFC 4291 section 2.2: eight groups of one to four hex digits, or fewer
   * around one {@code ::}, the last two groups possibly written as an IPv4 address. A {@code ::}
   * standing for a single zero group is accepted as RFC 4291 allows (RFC 5321's grammar wants two):
   * the literal only names a host, and refusing it would turn away addresses other stacks print.
   */
  static boolean isIpv6(byte[] b, int from, int to) {
    int i = from;
    int groups = 0;
    boolean compressed = false;
    if (i < to && b[i] == ':') {
      if (i + 1 == to || b[i + 1] != ':') {
        return false;
      }
      compressed = true;
      i += 2;
      if (i == to) {
        return true;
      }
    }
    while (true) {
      int start = i;
      i = Ascii.skip(b, i, to, Ascii.HEX);
      if (i < to && b[i] == '.') {
        if (!isIpv4(b, start, to)) {
          return false;
        }
        groups += 2;
        break;
      }
      if (i == start || i - start > 4) {
        return false;
      }
      groups++;
      if (i == to) {
        break;
      }
      if (b[i] != ':') {
        return false;
      }
      i++;
      if (i < to && b[i] == ':') {
        if (compressed) {
          return false;
        }
        compressed = true;
        i++;
        if (i == to) {
          break;
        }
      } else if (i == to) {
        return false;
      }
    }
    return compressed ? groups <= 7 : groups == 8;
  }

  /** {@code Standardized-tag ":" 1*dcontent}, the tag an Ldh-str ending with a letter or digit. */
  private static boolean isGeneral(byte[] b, int from, int colon, int to) {
    return colon > from
        && Ascii.skip(b, from, colon, Ascii.KEYWORD) == colon
        && b[colon - 1] != '-'
        && to > colon + 1
        && Ascii.skip(b, colon + 1, to, Ascii.DCONTENT) == to;
  }
}
