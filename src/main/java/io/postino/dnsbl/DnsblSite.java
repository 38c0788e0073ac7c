package io.postino.dnsbl;

import io.netty.util.NetUtil;
import java.util.List;
import java.util.Locale;

/**
 * One DNS list, as postscreen's {@code postscreen_dnsbl_sites} entry {@code zone=codes*weight}: the
 * zone to ask, the answers that count as a listing, and what a listing adds to the client's score
 * (negative for an allow list).
 *
 * @param zone   the list's DNS zone, e.g. {@code zen.spamhaus.org}
 * @param weight what a listing adds to the score; negative: an allow list (DNSWL)
 * @param codes  the answers that count ({@code 127.0.0.2}); empty: any answer in 127.0.0.0/8 but
 *               the 127.255.255.0/24 error codes
 */
public record DnsblSite(String zone, int weight, List<String> codes) {

  public DnsblSite {
    if (zone == null || zone.isBlank()) {
      throw new IllegalArgumentException("a site needs a zone");
    }
    zone = zone.strip().toLowerCase(Locale.ROOT);
    if (zone.endsWith(".")) {
      zone = zone.substring(0, zone.length() - 1);
    }
    if (zone.isEmpty() || zone.startsWith(".") || zone.contains("..")) {
      throw new IllegalArgumentException("not a DNS zone: " + zone);
    }
    if (weight == 0) {
      throw new IllegalArgumentException(zone + ": weight 0 would never count");
    }
    for (String code : codes) {
      if (!NetUtil.isValidIpV4Address(code) || !code.startsWith("127.")) {
        throw new IllegalArgumentException(zone + ": code " + code + " is not an address in 127.0.0.0/8");
      }
    }
    codes = List.copyOf(codes);
  }

  /** Whether this site counts the answer as a listing. */
  public boolean lists(String answer) {
    if (!codes.isEmpty()) {
      return codes.contains(answer);
    }
    // RFC 5782 section 2.1: listings are 127.0.0.0/8; Spamhaus answers 127.255.255.252-255 for
    // errors (a query through a public resolver, over the free limit), which are no listings
    return answer.startsWith("127.") && !answer.startsWith("127.255.255.");
  }

  /** An allow list (negative weight, a DNSWL). */
  public boolean allows() {
    return weight < 0;
  }
}
