package io.postino.dns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.bus.Route;
import io.postino.bus.RouteHost;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * DNSSEC questions ({@link ValidatedLookup}, {@link RecordQuery} with the DO and AD bits) and
 * routes that say what DNSSEC validated ({@link RouteSecurity}), against a responder that sets the
 * AD bit for the names the test calls signed.
 */
class DnssecLookupTest extends ResolverTestBase {

  private static final String HASH = "0123456789abcdef".repeat(4);

  @Test
  void tlsaRecordsComeWithTheAdBitOfAValidatingResolverOnLoopback() {
    dns.zone("_25._tcp.mx.example.org. 300 IN TLSA 3 1 1 " + HASH);
    dns.signed("_25._tcp.mx.example.org");
    ValidatedLookup.Answer answer = join(ValidatedLookup.create(vertx, options())
        .lookup("_25._tcp.mx.example.org", ValidatedLookup.TLSA));
    assertTrue(answer.validated());
    assertFalse(answer.nxdomain());
    List<ValidatedLookup.Record> tlsa = answer.ofType(ValidatedLookup.TLSA);
    assertEquals(1, tlsa.size());
    assertArrayEquals(HexFormat.of().parseHex("030101" + HASH), tlsa.get(0).data());
    assertEquals(300, tlsa.get(0).ttl());
    assertEquals(List.of(new TestDnsServer.Query("_25._tcp.mx.example.org", "TLSA", false)), dns.dnssecQueries(),
        "asked with DO/AD");
  }

  @Test
  void anUnsignedAnswerIsNotValidatedAndNxdomainIsAnAnswer() {
    dns.zone("_25._tcp.mx.example.org. 300 IN TLSA 3 1 1 " + HASH);
    ValidatedLookup lookup = ValidatedLookup.create(vertx, options());
    assertFalse(join(lookup.lookup("_25._tcp.mx.example.org", ValidatedLookup.TLSA)).validated());
    dns.signed("_25._tcp.nowhere.example.org");
    ValidatedLookup.Answer nx = join(lookup.lookup("_25._tcp.nowhere.example.org", ValidatedLookup.TLSA));
    assertTrue(nx.nxdomain());
    assertTrue(nx.validated());
    assertTrue(nx.records().isEmpty());
  }

  @Test
  void aServfailIsNoAnswer() {
    dns.mode(TestDnsServer.Mode.SERVFAIL);
    CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
        () -> join(ValidatedLookup.create(vertx, options()).lookup("_25._tcp.mx.example.org", ValidatedLookup.TLSA)));
    assertEquals("DNS server answered SERVFAIL", ValidatedLookup.describe(e.getCause()));
  }

  @Test
  void theAdBitIsBelievedFromLoopbackOnlyUnlessTrustAdBitSaysSo() {
    assertTrue(DnsServers.believesAdBit("127.0.0.1", false));
    assertTrue(DnsServers.believesAdBit("127.0.0.53", false));
    assertTrue(DnsServers.believesAdBit("::1", false));
    assertFalse(DnsServers.believesAdBit("192.0.2.53", false));
    assertFalse(DnsServers.believesAdBit("2001:db8::53", false));
    assertTrue(DnsServers.believesAdBit("192.0.2.53", true));
  }

  @Test
  void aSignedMxRoutePointingToSignedHostsIsValidatedHostByHost() {
    dns.zone("example.org. 300 IN MX 10 mx1.example.org.", "example.org. 300 IN MX 20 mx2.other.test.",
        "mx1.example.org. 300 IN A 192.0.2.1", "mx1.example.org. 300 IN AAAA 2001:db8::1",
        "mx2.other.test. 300 IN A 192.0.2.2");
    dns.signed("example.org", "mx1.example.org");
    Route route = route(resolver(options().setDnssec(true)), "example.org");
    assertTrue(route.dnssec(), route.toString());
    assertEquals(List.of(true, false), route.hosts().stream().map(RouteHost::dnssec).toList());
    assertEquals(route, Route.fromJson(route.toJson()));
    assertEquals(true, route.toJson().getBoolean("dnssec"));
  }

  @Test
  void anUnsignedMxIsNotValidatedEvenWithSignedHosts() {
    dns.zone("example.org. 300 IN MX 10 mx1.example.org.", "mx1.example.org. 300 IN A 192.0.2.1");
    dns.signed("mx1.example.org");
    Route route = route(resolver(options().setDnssec(true)), "example.org");
    assertFalse(route.dnssec());
    assertTrue(route.hosts().get(0).dnssec());
  }

  @Test
  void anImplicitMxIsValidatedByTheDomainsAddressRecords() {
    dns.zone("example.org. 300 IN A 192.0.2.1");
    dns.signed("example.org");
    Route route = route(resolver(options().setDnssec(true)), "example.org");
    assertEquals(Route.Source.IMPLICIT, route.source());
    assertTrue(route.dnssec());
    assertTrue(route.hosts().get(0).dnssec());
  }

  @Test
  void withoutAServerWhoseAdBitIsBelievedNoDnssecQuestionIsAsked() throws Exception {
    dns.zone("example.org. 300 IN MX 10 mx1.example.org.", "mx1.example.org. 300 IN A 192.0.2.1");
    dns.signed("example.org", "mx1.example.org");
    // a server off this host (never asked here): its AD bit is not believed
    DnsServers remote = new DnsServers(vertx, options().setServers(List.of("192.0.2.53:53")));
    assertFalse(remote.believesAnyAdBit());
    assertTrue(new DnsServers(vertx, options()).believesAnyAdBit());
    assertTrue(new DnsServers(vertx, options().setServers(List.of("192.0.2.53:53")).setTrustAdBit(true))
        .believesAnyAdBit());
    Route route = route(resolver(options().setDnssec(true).setServers(List.of(dns.address(), "192.0.2.53:53"))),
        "example.org");
    assertTrue(route.dnssec(), "one loopback server is enough");
  }

  @Test
  void withoutDaneNoDnssecQuestionIsAskedAndOldJsonStillReads() {
    dns.zone("example.org. 300 IN MX 10 mx1.example.org.", "mx1.example.org. 300 IN A 192.0.2.1");
    dns.signed("example.org", "mx1.example.org");
    Route route = route(resolver(), "example.org");
    assertFalse(route.dnssec());
    assertFalse(route.hosts().get(0).dnssec());
    assertTrue(dns.dnssecQueries().isEmpty(), dns.dnssecQueries().toString());
    assertFalse(route.toJson().containsKey("dnssec"));
    assertFalse(route.toJson().getJsonArray("hosts").getJsonObject(0).containsKey("dnssec"));
  }
}
