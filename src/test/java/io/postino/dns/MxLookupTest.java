package io.postino.dns;

import io.postino.bus.Route;
import io.postino.bus.RouteException;
import io.postino.bus.RouteHost;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How a domain's DNS records become a route: MX order, implicit MX, null MX, CNAMEs, addresses. */
class MxLookupTest extends ResolverTestBase {

  @Test
  void mxHostsAreSortedByPreferenceWithTheirAddresses() {
    dns.zone("example.org. 300 IN MX 20 b.example.org.",
        "example.org. 300 IN MX 10 a.example.org.",
        "example.org. 300 IN MX 30 c.example.org.",
        "a.example.org. 300 IN A 192.0.2.1",
        "a.example.org. 300 IN AAAA 2001:db8:0:0:0:0:0:1",
        "b.example.org. 300 IN A 192.0.2.2",
        "c.example.org. 300 IN A 192.0.2.3");
    Route route = route(resolver(), "example.org");
    assertEquals(Route.Source.MX, route.source());
    assertEquals("example.org", route.domain());
    assertEquals(List.of(
        new RouteHost("a.example.org", 10, List.of("192.0.2.1", "2001:db8::1"), 25),
        new RouteHost("b.example.org", 20, List.of("192.0.2.2"), 25),
        new RouteHost("c.example.org", 30, List.of("192.0.2.3"), 25)), route.hosts());
  }

  @Test
  void equalPreferencesAreShuffledOnEveryCall() {
    dns.zone("example.org. 300 IN MX 10 a.example.org.",
        "example.org. 300 IN MX 10 b.example.org.",
        "example.org. 300 IN MX 20 c.example.org.",
        "a.example.org. 300 IN A 192.0.2.1",
        "b.example.org. 300 IN A 192.0.2.2",
        "c.example.org. 300 IN A 192.0.2.3");
    MxResolver resolver = resolver();
    Set<List<String>> orders = new HashSet<>();
    // 100 calls: the chance of never seeing one of the two orders is 2^-99
    for (int i = 0; i < 100; i++) {
      orders.add(names(route(resolver, "example.org")));
    }
    assertEquals(Set.of(List.of("a.example.org", "b.example.org", "c.example.org"),
        List.of("b.example.org", "a.example.org", "c.example.org")), orders);
    assertEquals(1, dns.count("example.org", "MX"), "shuffled from the cache, not from new queries");
  }

  @Test
  void preferencesAbove32767AreNotNegative() {
    dns.zone("example.org. 300 IN MX 40000 a.example.org.", "a.example.org. 300 IN A 192.0.2.1");
    assertEquals(40000, route(resolver(), "example.org").hosts().get(0).preference());
  }

  @Test
  void ipv4FirstByDefaultIpv6FirstByOption() {
    dns.zone("example.org. 300 IN MX 10 a.example.org.",
        "a.example.org. 300 IN A 192.0.2.1", "a.example.org. 300 IN AAAA 2001:db8::1");
    assertEquals(List.of("192.0.2.1", "2001:db8::1"), route(resolver(), "example.org").hosts().get(0).addresses());
    assertEquals(List.of("2001:db8::1", "192.0.2.1"),
        route(resolver(options().setPreferIpv6(true)), "example.org").hosts().get(0).addresses());
  }

  @Test
  void withoutMxAnARecordMakesTheDomainItsOwnHost() {
    dns.zone("example.org. 300 IN A 192.0.2.9");
    Route route = route(resolver(), "example.org");
    assertEquals(Route.Source.IMPLICIT, route.source());
    assertEquals(List.of(new RouteHost("example.org", 0, List.of("192.0.2.9"), 25)), route.hosts());
  }

  @Test
  void withoutMxAnAaaaRecordAloneIsEnough() {
    dns.zone("example.org. 300 IN AAAA 2001:db8::9");
    Route route = route(resolver(), "example.org");
    assertEquals(Route.Source.IMPLICIT, route.source());
    assertEquals(List.of("2001:db8::9"), route.hosts().get(0).addresses());
  }

  @Test
  void nullMxIsAPermanentFailure() {
    dns.zone("example.org. 300 IN MX 0 .", "example.org. 300 IN A 192.0.2.9");
    RouteException failure = failure(resolver(), "example.org");
    assertFailure(failure, true, 556, "5.1.10");
    assertTrue(failure.reason().contains("null MX"), failure.reason());
  }

  @Test
  void nxdomainIsAPermanentFailure() {
    dns.zone("example.org. 300 IN MX 10 a.example.org.");
    assertFailure(failure(resolver(), "nowhere.example"), true, 550, "5.1.2");
  }

  @Test
  void aDomainWithNoMxAndNoAddressIsAPermanentFailure() {
    dns.zone("example.org. 300 IN TXT \"v=spf1 -all\"");
    assertFailure(failure(resolver(), "example.org"), true, 554, "5.4.4");
  }

  @Test
  void mxHostsWithoutAddressesAreLeftOut() {
    dns.zone("example.org. 300 IN MX 10 gone.example.org.",
        "example.org. 300 IN MX 20 b.example.org.",
        "b.example.org. 300 IN A 192.0.2.2");
    assertEquals(List.of("b.example.org"), names(route(resolver(), "example.org")));
  }

  @Test
  void whenNoMxHostHasAnAddressTheFailureIsPermanent() {
    dns.zone("example.org. 300 IN MX 10 gone.example.org.");
    assertFailure(failure(resolver(), "example.org"), true, 554, "5.4.4");
  }

  @Test
  void unspecifiedAddressesAreNeverUsed() {
    dns.zone("example.org. 300 IN MX 10 a.example.org.",
        "example.org. 300 IN MX 20 zero.example.org.",
        "a.example.org. 300 IN A 0.0.0.0",
        "a.example.org. 300 IN A 192.0.2.1",
        "a.example.org. 300 IN AAAA ::",
        "zero.example.org. 300 IN A 0.0.0.0");
    Route route = route(resolver(), "example.org");
    assertEquals(List.of(new RouteHost("a.example.org", 10, List.of("192.0.2.1"), 25)), route.hosts());
  }

  @Test
  void anMxHostThatIsACnameIsFollowed() {
    dns.zone("example.org. 300 IN MX 10 mx.example.org.",
        "mx.example.org. 300 IN CNAME mail.example.net.",
        "mail.example.net. 300 IN CNAME real.example.net.",
        "real.example.net. 300 IN A 192.0.2.7",
        "real.example.net. 300 IN AAAA 2001:db8::7");
    Route route = route(resolver(), "example.org");
    assertEquals(List.of(new RouteHost("mx.example.org", 10, List.of("192.0.2.7", "2001:db8::7"), 25)),
        route.hosts());
  }

  @Test
  void aCnameLoopEndsAsNoAddress() {
    dns.zone("example.org. 300 IN MX 10 mx.example.org.",
        "mx.example.org. 300 IN CNAME loop.example.org.",
        "loop.example.org. 300 IN CNAME mx.example.org.");
    assertFailure(failure(resolver(), "example.org"), true, 554, "5.4.4");
  }

  @Test
  void aDomainThatIsACnameUsesTheMxOfItsCanonicalName() {
    dns.zone("alias.example. 300 IN CNAME example.org.",
        "example.org. 300 IN MX 10 a.example.org.",
        "example.org. 300 IN A 192.0.2.99",
        "a.example.org. 300 IN A 192.0.2.1");
    Route route = route(resolver(), "alias.example");
    assertEquals("alias.example", route.domain());
    assertEquals(Route.Source.MX, route.source());
    assertEquals(List.of("a.example.org"), names(route));
  }

  @Test
  void aTruncatedAnswerIsAskedAgainOverTcp() {
    dns.zone("example.org. 300 IN MX 10 a.example.org.", "a.example.org. 300 IN A 192.0.2.1");
    dns.mode("example.org", TestDnsServer.Mode.TRUNCATE);
    assertEquals(List.of("a.example.org"), names(route(resolver(), "example.org")));
    assertTrue(dns.queries().contains(new TestDnsServer.Query("example.org", "MX", true)), dns.queries().toString());
  }

  @Test
  void domainsAreNormalizedToLowerCaseAsciiWithoutTrailingDot() {
    dns.zone("xn--bcher-kva.example. 300 IN MX 10 a.example.org.", "a.example.org. 300 IN A 192.0.2.1");
    MxResolver resolver = resolver();
    assertEquals("xn--bcher-kva.example", route(resolver, "Bücher.Example.").domain());
    assertEquals("xn--bcher-kva.example", route(resolver, "xn--bcher-kva.example").domain());
    assertEquals(1, dns.count("xn--bcher-kva.example", "MX"), "one cache entry for both spellings");
  }

  @Test
  void anInvalidDomainIsAPermanentFailureWithoutAnyQuery() {
    MxResolver resolver = resolver();
    for (String bad : new String[] {"", "a..b", "-a.example", "exa mple.org", "[300.1.1.1]", null}) {
      assertFailure(failure(resolver, bad), true, 550, "5.1.2");
    }
    assertEquals(List.of(), dns.queries());
  }

  @Test
  void addressLiteralsRouteToTheirAddress() {
    MxResolver resolver = resolver();
    Route v4 = route(resolver, "[192.0.2.1]");
    assertEquals(Route.Source.IMPLICIT, v4.source());
    assertEquals(List.of(new RouteHost("192.0.2.1", 0, List.of("192.0.2.1"), 25)), v4.hosts());
    Route v6 = route(resolver, "[ipv6:2001:DB8:0:0:0:0:0:1]");
    assertEquals("[IPv6:2001:db8::1]", v6.domain());
    assertEquals(List.of("2001:db8::1"), v6.hosts().get(0).addresses());
    assertFailure(failure(resolver, "[0.0.0.0]"), true, 554, "5.4.4");
    assertEquals(List.of(), dns.queries());
  }

  @Test
  void theSmtpPortOptionAppliesToMxHosts() {
    dns.zone("example.org. 300 IN MX 10 a.example.org.", "a.example.org. 300 IN A 192.0.2.1");
    assertEquals(2525, route(resolver(options().setSmtpPort(2525)), "example.org").hosts().get(0).port());
  }

  @Test
  void aNumericMxTargetIsIgnored() {
    dns.zone("example.org. 300 IN MX 10 192.0.2.1.",
        "example.org. 300 IN MX 20 b.example.org.",
        "b.example.org. 300 IN A 192.0.2.2");
    assertEquals(List.of(new RouteHost("b.example.org", 20, List.of("192.0.2.2"), 25)),
        route(resolver(), "example.org").hosts());
  }

  @Test
  void onlyNumericMxTargetsLeaveNoAddress() {
    dns.zone("example.org. 300 IN MX 10 192.0.2.1.");
    RouteException failure = failure(resolver(), "example.org");
    assertFailure(failure, true, 554, "5.4.4");
    assertTrue(failure.reason().contains("IP addresses"), failure.reason());
  }

  @Test
  void anAddressSharedBySeveralMxNamesIsListedOnce() {
    dns.zone("example.org. 300 IN MX 10 a.example.org.",
        "example.org. 300 IN MX 20 b.example.org.",
        "example.org. 300 IN MX 30 c.example.org.",
        "a.example.org. 300 IN A 192.0.2.1",
        "b.example.org. 300 IN A 192.0.2.1",
        "b.example.org. 300 IN A 192.0.2.2",
        "c.example.org. 300 IN A 192.0.2.2");
    assertEquals(List.of(
        new RouteHost("a.example.org", 10, List.of("192.0.2.1"), 25),
        new RouteHost("b.example.org", 20, List.of("192.0.2.2"), 25)), route(resolver(), "example.org").hosts());
  }

  @Test
  void mxNamesAreResolvedOnlyUntilEnoughAddressesAreKnown() {
    String[] zone = new String[100];
    for (int i = 0; i < 50; i++) {
      zone[2 * i] = "example.org. 300 IN MX " + (10 + i) + " mx" + i + ".example.org.";
      zone[2 * i + 1] = "mx" + i + ".example.org. 300 IN A 192.0.2." + (i + 1);
    }
    dns.zone(zone);
    Route route = route(resolver(options().setMaxAddresses(3)), "example.org");
    assertEquals(List.of("mx0.example.org", "mx1.example.org", "mx2.example.org"), names(route));
    long lookedUp = dns.queries().stream().filter(q -> q.type().equals("A")).count();
    assertEquals(3, lookedUp, dns.queries().toString());
  }
}
