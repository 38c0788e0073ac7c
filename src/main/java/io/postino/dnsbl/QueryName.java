package io.postino.dnsbl;

import io.netty.util.NetUtil;

/**
 * The name a DNS list is asked about an address (RFC 5782 section 2.1 and 2.4): the IPv4 octets in
 * reverse order ({@code 192.0.2.99} in {@code zen.example} is {@code 99.2.0.192.zen.example}), an
 * IPv6 address as its 32 nibbles in reverse order, as in {@code ip6.arpa}.
 */
final class QueryName {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private QueryName() {
  }

  /** The name to ask {@code zone} about {@code ip}; null when {@code ip} is no IP address. */
  static String of(String ip, String zone) {
    byte[] address = NetUtil.createByteArrayFromIpAddressString(stripScope(ip));
    if (address == null) {
      return null;
    }
    StringBuilder name = new StringBuilder(address.length == 4 ? 16 + zone.length() : 64 + zone.length());
    if (address.length == 16 && isMappedIpv4(address)) {
      // an IPv4 client on a dual-stack socket: listed under its IPv4 address
      address = new byte[] {address[12], address[13], address[14], address[15]};
    }
    for (int i = address.length - 1; i >= 0; i--) {
      int b = address[i] & 0xFF;
      if (address.length == 4) {
        name.append(b).append('.');
      } else {
        name.append(HEX[b & 0xF]).append('.').append(HEX[b >> 4]).append('.');
      }
    }
    return name.append(zone).toString();
  }

  private static String stripScope(String ip) {
    int percent = ip.indexOf('%');
    return percent < 0 ? ip : ip.substring(0, percent);
  }

  private static boolean isMappedIpv4(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[10] == (byte) 0xFF && a[11] == (byte) 0xFF;
  }
}
