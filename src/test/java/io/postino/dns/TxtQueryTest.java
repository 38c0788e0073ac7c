package io.postino.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * TXT questions through {@link DnsServers}: one string per record (its strings joined), over UDP
 * and over TCP when the UDP answer is truncated, with the failover, sharing and NXDOMAIN-versus-
 * temporary distinction of the other types.
 */
class TxtQueryTest extends ResolverTestBase {

  private static final String LONG = "v=DKIM1; k=rsa; p=" + "A".repeat(390);

  private List<String> txt(DnsServers servers, String name) {
    try {
      return join(servers.txt(name));
    } finally {
      join(servers.close());
    }
  }

  private static String strings(String text) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < text.length(); i += 200) {
      line.append(" \"").append(text, i, Math.min(text.length(), i + 200)).append('"');
    }
    return line.toString();
  }

  @Test
  void eachRecordIsOneStringItsStringsJoinedAndRecordsStaySeparate() {
    dns.zone("s._domainkey.example.org. 300 IN TXT \"google-site-verification=abc\"",
        "s._domainkey.example.org. 300 IN TXT" + strings(LONG),
        "s._domainkey.example.org. 300 IN TXT \"one \" \"two\" \"\" \"three\"");
    assertEquals(List.of("google-site-verification=abc", LONG, "one twothree"),
        txt(new DnsServers(vertx, options()), "s._domainkey.example.org"));
    assertTrue(dns.queries().stream().noneMatch(TestDnsServer.Query::tcp), "fits in UDP: " + dns.queries());
  }

  @Test
  void aTruncatedAnswerIsAskedAgainOverTcp() {
    dns.zone("example.org. 300 IN TXT" + strings(LONG), "example.org. 300 IN TXT \"v=spf1 -all\"");
    dns.mode("example.org", "TXT", TestDnsServer.Mode.TRUNCATE);
    assertEquals(List.of(LONG, "v=spf1 -all"), txt(new DnsServers(vertx, options()), "example.org"));
    assertEquals(List.of(new TestDnsServer.Query("example.org", "TXT", false),
        new TestDnsServer.Query("example.org", "TXT", true)), dns.queries());
  }

  @Test
  void aNameWithoutTxtRecordsGivesNoneAndANonexistentNameIsNxdomain() {
    dns.zone("example.org. 300 IN A 192.0.2.1");
    assertEquals(List.of(), txt(new DnsServers(vertx, options()), "example.org"));
    Throwable nx = failureOf(new DnsServers(vertx, options()).txt("nowhere.example.org"));
    assertTrue(DnsServers.isNxDomain(nx), String.valueOf(nx));
  }

  @Test
  void aServfailFailsOverToTheNextServerAndNxdomainIsFinal() throws Exception {
    try (TestDnsServer second = TestDnsServer.start()) {
      dns.mode(TestDnsServer.Mode.SERVFAIL);
      second.zone("example.org. 300 IN TXT \"v=spf1 -all\"");
      MxResolverOptions both = options().setServers(List.of(dns.address(), second.address()));
      assertEquals(List.of("v=spf1 -all"), txt(new DnsServers(vertx, both), "example.org"));
      dns.mode(TestDnsServer.Mode.NXDOMAIN);
      assertTrue(DnsServers.isNxDomain(failureOf(new DnsServers(vertx, both).txt("example.org"))));
      assertEquals(1, second.count("example.org", "TXT"), "NXDOMAIN from the first server ends the question");
    }
  }

  @Test
  void aSilentServerIsATemporaryFailureAfterItsRetries() {
    dns.mode(TestDnsServer.Mode.SILENT);
    Throwable failure = failureOf(new DnsServers(vertx, options().setQueryTimeout(200).setRetries(1)).txt("example.org"));
    assertTrue(!DnsServers.isNxDomain(failure));
    assertEquals("no answer from any DNS server (timeout)", DnsServers.describe(failure));
    assertEquals(2, dns.count("example.org", "TXT"));
  }

  @Test
  void concurrentIdenticalQuestionsShareOneQueryEachFromAFreshPortAndId() {
    dns.zone("example.org. 300 IN TXT \"v=spf1 -all\"");
    DnsServers servers = new DnsServers(vertx, options());
    List<Future<List<String>>> asked = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      asked.add(servers.txt("example.org"));
    }
    join(Future.all(asked));
    asked.forEach(q -> assertEquals(List.of("v=spf1 -all"), q.result()));
    for (int i = 0; i < 10; i++) {
      join(servers.txt("other" + i + ".example.org").recover(f -> Future.succeededFuture(List.of())));
    }
    assertTrue(dns.count("example.org", "TXT") <= 2, "shared: " + dns.queries());
    long ports = dns.udpSources().stream().map(TestDnsServer.UdpSource::port).distinct().count();
    assertTrue(ports >= dns.udpSources().size() - 2, "source ports " + dns.udpSources());
  }

  private static Throwable failureOf(Future<?> future) {
    return join(future.map(r -> (Throwable) null).recover(Future::succeededFuture));
  }
}
