package io.postino.dns;

import io.netty.util.NetUtil;

/**
 * RFC 5321 section 4.1.3 address literals, the domain part of {@code user@[192.0.2.1]} and
 * {@code user@[IPv6:2001:db8::1]}.
 */
final class AddressLiteral {

  private AddressLiteral() {
  }

  /** The canonical address inside the brackets, or null if the text is not an address literal. */
  static String parse(String literal) {
    if (literal == null || !literal.startsWith("[") || !literal.endsWith("]")) {
      return null;
    }
    String inside = literal.substring(1, literal.length() - 1);
    if (inside.regionMatches(true, 0, "IPv6:", 0, 5)) {
      String v6 = inside.substring(5);
      return NetUtil.isValidIpV6Address(v6) && !v6.contains("[") ? HostPort.canonicalAddress(v6) : null;
    }
    return NetUtil.isValidIpV4Address(inside) ? HostPort.canonicalAddress(inside) : null;
  }

  /** The literal in canonical form ({@code [192.0.2.1]}, {@code [IPv6:2001:db8::1]}), or null. */
  static String normalize(String literal) {
    String address = parse(literal);
    if (address == null) {
      return null;
    }
    return address.indexOf(':') >= 0 ? "[IPv6:" + address + "]" : "[" + address + "]";
  }
}
