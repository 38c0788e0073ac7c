package io.postino.dnsbl;

import io.postino.authres.AuthResult;
import io.postino.smtp.EnhancedStatus;
import io.postino.smtp.SmtpReply;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What the DNS lists said of one client address: the combined score, postscreen's way (each site
 * entry whose codes match adds its weight once), the listings behind it and the lists that did
 * not answer. A list that did not answer adds nothing: a DNS failure never blocks mail.
 *
 * @param score          the sum of the weights of the matching site entries
 * @param listings       each matching site entry and the answer it matched, in configuration order
 * @param failures       each zone that gave no answer, with why
 * @param threshold      a score at or above it blocks
 * @param allowThreshold a negative score at or below it allow-lists; 0: none
 */
public record Verdict(int score, List<Listing> listings, List<Failure> failures, int threshold, int allowThreshold) {

  /** A site entry that lists the client, and the answer that matched. */
  public record Listing(DnsblSite site, String answer) {
  }

  /** A zone that gave no answer (timeout, SERVFAIL...), and why. */
  public record Failure(String zone, boolean allowList, String reason) {
  }

  public Verdict {
    listings = List.copyOf(listings);
    failures = List.copyOf(failures);
  }

  /** At or above the threshold: the client's recipients are refused. */
  public boolean blocked() {
    return score >= threshold;
  }

  /** At or below a negative allow threshold: the client skips the other checks. */
  public boolean allowListed() {
    return allowThreshold < 0 && score <= allowThreshold;
  }

  /**
   * The zone the refusal names: the listing of the highest weight (the first of equals), as
   * postscreen names the DNSBL domain with the highest weight.
   */
  public String blockingZone() {
    Listing top = null;
    for (Listing l : listings) {
      if (l.site().weight() > 0 && (top == null || l.site().weight() > top.site().weight())) {
        top = l;
      }
    }
    return top == null ? null : top.site().zone();
  }

  /** The reply to a blocked client's RCPT: postscreen's text, with the zone. */
  public SmtpReply refusal(String ip) {
    return SmtpReply.of(550, EnhancedStatus.of(5, 7, 1),
        "Service unavailable; client [" + ip + "] blocked using " + blockingZone());
  }

  /**
   * The results for the message's {@code Authentication-Results:}: the allow lists only, as RFC 8904
   * registers them ({@code dnswl=pass dns.zone=list.dnswl.org policy.ip=127.0.10.0}, or {@code
   * temperror}). Block lists have no registered method, and RFC 8601 section 2.7.6 tells readers to
   * ignore a field with an unknown one, which would cost the message its DKIM, SPF and DMARC
   * results: their listings are in the log line instead.
   */
  public List<AuthResult> authResults() {
    List<AuthResult> results = new ArrayList<>();
    for (Listing l : listings) {
      if (l.site().allows()) {
        results.add(AuthResult.of("dnswl", "pass", null).with("dns.zone", l.site().zone())
            .with("policy.ip", l.answer()));
      }
    }
    for (Failure f : failures) {
      if (f.allowList()) {
        results.add(AuthResult.of("dnswl", "temperror", f.reason()).with("dns.zone", f.zone()));
      }
    }
    return results;
  }

  /** The listings as the log gives them: {@code zen.example=127.0.0.2*3, wl.example=127.0.10.0*-2}. */
  public String describeListings() {
    return listings.stream().map(l -> l.site().zone() + "=" + l.answer() + "*" + l.site().weight())
        .collect(Collectors.joining(", "));
  }
}
