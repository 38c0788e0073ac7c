package io.postino.dnsbl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.authres.AuthResult;
import io.postino.dns.MxResolverOptions;
import io.postino.dns.TestDnsServer;
import io.vertx.core.Vertx;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The lists' verdicts, against a DNS responder on loopback. */
class ReputationTest {

  private static final String V6 = "2001:db8:1:2:3:4:567:89ab";
  private static final String V6_NAME = "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2";

  private Vertx vertx;
  private TestDnsServer dns;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    dns = TestDnsServer.start().zone(
        V6_NAME + ".bl.test. 300 IN A 127.0.0.2",
        V6_NAME + ".wl.test. 300 IN A 127.0.10.2",
        "2.2.0.192.bl.test. 300 IN A 127.0.0.4",
        "2.2.0.192.bl.test. 300 IN A 127.0.0.2");
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().await();
    dns.close();
  }

  private Reputation reputation(DnsblOptions options) {
    return Reputation.create(vertx, options, new MxResolverOptions().setServers(List.of(dns.address()))
        .setQueryTimeout(500).setRetries(0));
  }

  @Test
  void anIpv6ClientIsAskedByItsNibblesAndAllowListsComeOutAsDnswlResults() {
    Verdict v = reputation(new DnsblOptions().setAllowThreshold(-1).setSites(List.of(
        new DnsblSite("bl.test", 2, List.of()), new DnsblSite("wl.test", -5, List.of("127.0.10.2")))))
        .check(V6).await();
    assertEquals(-3, v.score());
    assertTrue(v.allowListed());
    assertFalse(v.blocked());
    assertEquals(List.of(AuthResult.of("dnswl", "pass", null).with("dns.zone", "wl.test")
        .with("policy.ip", "127.0.10.2")), v.authResults());
  }

  @Test
  void aSiteEntryCountsOnceHoweverManyOfItsCodesAnswer() {
    Verdict v = reputation(new DnsblOptions().setThreshold(2).setSites(List.of(
        new DnsblSite("bl.test", 1, List.of("127.0.0.2", "127.0.0.4")))))
        .check("192.0.2.2").await();
    assertEquals(1, v.score());
    assertFalse(v.blocked());
  }

  @Test
  void theRefusalNamesTheHeaviestListing() {
    dns.zone("2.2.0.192.heavy.test. 300 IN A 127.0.0.9");
    Verdict v = reputation(new DnsblOptions().setSites(List.of(
        new DnsblSite("bl.test", 1, List.of()), new DnsblSite("heavy.test", 3, List.of()))))
        .check("192.0.2.2").await();
    assertEquals(4, v.score());
    assertEquals("heavy.test", v.blockingZone());
    assertEquals("550 5.7.1 Service unavailable; client [192.0.2.2] blocked using heavy.test",
        v.refusal("192.0.2.2").encoded().strip());
  }

  @Test
  void anAllowListThatDoesNotAnswerIsATemperrorAndCountsForNothing() {
    dns.mode(TestDnsServer.Mode.SERVFAIL);
    Verdict v = reputation(new DnsblOptions().setAllowThreshold(-1).setSites(List.of(
        new DnsblSite("wl.test", -5, List.of()))))
        .check("192.0.2.2").await();
    assertEquals(0, v.score());
    assertFalse(v.allowListed());
    assertEquals(List.of(AuthResult.of("dnswl", "temperror", "DNS server answered SERVFAIL").with("dns.zone", "wl.test")),
        v.authResults());
  }
}
