package io.postino.dns;

import io.postino.bus.RouteException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * DNS that does not answer properly: temporary failures, never bounces; failover across
 * servers and retries.
 */
class DnsFailureTest extends ResolverTestBase {

  @Test
  void servfailIsATemporaryFailure() {
    dns.mode(TestDnsServer.Mode.SERVFAIL);
    RouteException failure = failure(resolver(), "example.org");
    assertFailure(failure, false, 451, "4.4.3");
    assertTrue(failure.reason().contains("SERVFAIL"), failure.reason());
  }

  @Test
  void refusedIsATemporaryFailure() {
    dns.mode(TestDnsServer.Mode.REFUSED);
    assertFailure(failure(resolver(), "example.org"), false, 451, "4.4.3");
  }

  @Test
  void aSilentServerTimesOutAsATemporaryFailureAfterItsRetries() {
    dns.mode(TestDnsServer.Mode.SILENT);
    long start = System.nanoTime();
    RouteException failure = failure(resolver(options().setQueryTimeout(200).setRetries(2)), "example.org");
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertFailure(failure, false, 451, "4.4.3");
    assertTrue(failure.reason().contains("timeout"), failure.reason());
    assertEquals(3, dns.count("example.org", "MX"), "one query and two retries");
    assertTrue(elapsedMs >= 600 && elapsedMs < 3000, "took " + elapsedMs + " ms");
  }

  @Test
  void aSilentFirstServerFailsOverToTheSecond() throws Exception {
    try (TestDnsServer second = TestDnsServer.start()) {
      dns.mode(TestDnsServer.Mode.SILENT);
      second.zone("example.org. 300 IN MX 10 a.example.org.", "a.example.org. 300 IN A 192.0.2.1");
      MxResolver resolver = resolver(options().setQueryTimeout(200).setServers(List.of(dns.address(), second.address())));
      assertEquals(List.of("a.example.org"), names(route(resolver, "example.org")));
      assertEquals(1, dns.count("example.org", "MX"));
      assertEquals(1, second.count("example.org", "MX"));
    }
  }

  @Test
  void aServfailFromTheFirstServerFailsOverToo() throws Exception {
    try (TestDnsServer second = TestDnsServer.start()) {
      dns.mode(TestDnsServer.Mode.SERVFAIL);
      second.zone("example.org. 300 IN A 192.0.2.1");
      MxResolver resolver = resolver(options().setServers(List.of(dns.address(), second.address())));
      assertEquals(List.of("example.org"), names(route(resolver, "example.org")));
    }
  }

  @Test
  void nxdomainFromTheFirstServerIsFinal() throws Exception {
    try (TestDnsServer second = TestDnsServer.start()) {
      second.zone("example.org. 300 IN A 192.0.2.1");
      MxResolver resolver = resolver(options().setServers(List.of(dns.address(), second.address())));
      assertFailure(failure(resolver, "example.org"), true, 550, "5.1.2");
      assertEquals(List.of(), second.queries());
    }
  }

  @Test
  void anMxHostThatFailsTemporarilyIsLeftOutAndTheOthersAreUsed() {
    dns.zone("example.org. 300 IN MX 10 a.example.org.",
        "example.org. 300 IN MX 20 b.example.org.",
        "a.example.org. 300 IN A 192.0.2.1",
        "b.example.org. 300 IN A 192.0.2.2");
    dns.mode("a.example.org", TestDnsServer.Mode.SERVFAIL);
    assertEquals(List.of("b.example.org"), names(route(resolver(), "example.org")));
  }

  @Test
  void whenEveryMxHostFailsTemporarilyTheFailureIsTemporary() {
    dns.zone("example.org. 300 IN MX 10 a.example.org.",
        "example.org. 300 IN MX 20 gone.example.org.",
        "a.example.org. 300 IN A 192.0.2.1");
    dns.mode("a.example.org", TestDnsServer.Mode.SILENT);
    assertFailure(failure(resolver(options().setQueryTimeout(200)), "example.org"), false, 451, "4.4.3");
  }

  @Test
  void oneFamilyFailingStillGivesTheOtherFamilysAddressesButOnlyBriefly() {
    dns.zone("example.org. 300 IN MX 10 a.example.org.", "a.example.org. 300 IN A 192.0.2.1");
    dns.mode("a.example.org", "AAAA", TestDnsServer.Mode.SERVFAIL);
    MxResolver resolver = resolver(options().setNegativeTtl(10));
    assertEquals(List.of("192.0.2.1"), route(resolver, "example.org").hosts().get(0).addresses());
    clock.advanceSeconds(9);
    route(resolver, "example.org");
    assertEquals(1, dns.count("example.org", "MX"));
    clock.advanceSeconds(2);
    route(resolver, "example.org");
    assertEquals(2, dns.count("example.org", "MX"), "an incomplete route lives no longer than a failure");
  }
}
