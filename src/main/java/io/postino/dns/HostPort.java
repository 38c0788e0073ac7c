package io.postino.dns;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A host and port as written in configuration: {@code host:port}, {@code [ipv6]:port}, or a host
 * alone (the default port then applies). The host is a domain name or an IP literal; parsing
 * never touches DNS.
 */
record HostPort(String host, int port) {

  private static final Pattern HOST_NAME =
      Pattern.compile("(?i)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\\.?");

  HostPort {
    if (host == null || !(isIpLiteral(host) || (host.length() <= 254 && HOST_NAME.matcher(host).matches()))) {
      throw new IllegalArgumentException("invalid host: " + host);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("invalid port: " + port);
    }
    host = isIpLiteral(host) ? canonicalAddress(host) : host.toLowerCase(Locale.ROOT);
  }

  /** Parses {@code host:port}, {@code [v6]:port}, {@code host} or a bare IPv6 literal. */
  static HostPort parse(String text, int defaultPort) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty host:port");
    }
    String s = text.strip();
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0 || (close + 1 < s.length() && s.charAt(close + 1) != ':')) {
        throw new IllegalArgumentException("invalid host:port: " + text);
      }
      return new HostPort(s.substring(1, close), close + 1 < s.length() ? port(s.substring(close + 2), text) : defaultPort);
    }
    int colon = s.lastIndexOf(':');
    if (colon < 0 || s.indexOf(':') != colon) {
      // no port, or an unbracketed IPv6 literal whose colons are not a port separator
      return new HostPort(s, defaultPort);
    }
    return new HostPort(s.substring(0, colon), port(s.substring(colon + 1), text));
  }

  boolean isIpLiteral() {
    return isIpLiteral(host);
  }

  static boolean isIpLiteral(String host) {
    return NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host);
  }

  /** The address in its canonical text form (RFC 5952 for IPv6), so equal addresses compare equal. */
  static String canonicalAddress(String literal) {
    return NetUtil.toAddressString(toInetAddress(literal));
  }

  /** Converts an IP literal without any name lookup. */
  static InetAddress toInetAddress(String literal) {
    InetAddress address = NetUtil.createInetAddressFromIpAddressString(literal);
    if (address == null) {
      throw new IllegalArgumentException("not an IP address: " + literal);
    }
    return address;
  }

  private static int port(String digits, String text) {
    try {
      return Integer.parseInt(digits);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid port in " + text);
    }
  }

  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
