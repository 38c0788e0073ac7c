package io.postino.dns;

import io.postino.bus.Route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.postino.metrics.MetricsOptions;
import io.postino.metrics.PostinoMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Caching by TTL, negative caching, and one lookup shared by concurrent callers. */
class RouteCacheTest extends ResolverTestBase {

  private static final String[] ZONE = {
      "example.org. 60 IN MX 10 a.example.org.", "a.example.org. 300 IN A 192.0.2.1"};

  @Test
  void aRouteIsCachedForItsMxTtl() {
    dns.zone(ZONE);
    MxResolver resolver = resolver();
    route(resolver, "example.org");
    clock.advanceSeconds(59);
    route(resolver, "example.org");
    assertEquals(1, dns.count("example.org", "MX"));
    clock.advanceSeconds(2);
    route(resolver, "example.org");
    assertEquals(2, dns.count("example.org", "MX"));
    assertEquals(2, dns.count("a.example.org", "A"), "the host's addresses expire with the route");
  }

  @Test
  void lookupsAndCacheHitsAreCounted() {
    dns.zone(ZONE);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    MxResolver resolver = new DnsMxResolver(vertx, options(), clock,
        new PostinoMetrics(registry, new MetricsOptions()).dns());
    try {
      route(resolver, "example.org");
      route(resolver, "example.org");
      long queries = dns.count("example.org", "MX") + dns.count("a.example.org", "A") + dns.count("a.example.org", "AAAA");
      assertEquals(3, queries, "MX, then the host's A and AAAA");
      assertEquals(queries, registry.get("postino.dns.lookups").counter().count(), "what the DNS server was asked");
      assertEquals(1.0, registry.get("postino.dns.cache.hits").counter().count());
    } finally {
      join(resolver.close());
    }
  }

  @Test
  void theDefaultTtlCapsTheMxTtlSinceAddressesHaveNone() {
    dns.zone("example.org. 86400 IN MX 10 a.example.org.", "a.example.org. 86400 IN A 192.0.2.1");
    MxResolver resolver = resolver(options().setDefaultTtl(120));
    route(resolver, "example.org");
    clock.advanceSeconds(119);
    route(resolver, "example.org");
    assertEquals(1, dns.count("example.org", "MX"));
    clock.advanceSeconds(2);
    route(resolver, "example.org");
    assertEquals(2, dns.count("example.org", "MX"));
  }

  @Test
  void anImplicitRouteIsCachedForTheDefaultTtl() {
    dns.zone("example.org. 5 IN A 192.0.2.1");
    MxResolver resolver = resolver(options().setDefaultTtl(30));
    route(resolver, "example.org");
    clock.advanceSeconds(29);
    route(resolver, "example.org");
    assertEquals(1, dns.count("example.org", "A"));
    clock.advanceSeconds(2);
    route(resolver, "example.org");
    assertEquals(2, dns.count("example.org", "A"));
  }

  @Test
  void aRouteExpiresInRealTime() throws InterruptedException {
    dns.zone("example.org. 1 IN MX 10 a.example.org.", "a.example.org. 300 IN A 192.0.2.1");
    MxResolver resolver = new DnsMxResolver(vertx, options(), System::nanoTime);
    try {
      long start = System.nanoTime();
      route(resolver, "example.org");
      long deadline = start + TimeUnit.SECONDS.toNanos(5);
      while (dns.count("example.org", "MX") < 2 && System.nanoTime() < deadline) {
        Thread.sleep(50);
        route(resolver, "example.org");
      }
      long elapsedMs = (System.nanoTime() - start) / 1_000_000;
      assertEquals(2, dns.count("example.org", "MX"));
      assertTrue(elapsedMs >= 950, "re-queried after " + elapsedMs + " ms, before the 1 s TTL");
    } finally {
      join(resolver.close());
    }
  }

  @Test
  void nxdomainIsCachedForTheNegativeTtl() {
    MxResolver resolver = resolver(options().setNegativeTtl(10));
    failure(resolver, "nowhere.example");
    clock.advanceSeconds(9);
    assertFailure(failure(resolver, "nowhere.example"), true, 550, "5.1.2");
    assertEquals(1, dns.count("nowhere.example", "MX"));
    clock.advanceSeconds(2);
    failure(resolver, "nowhere.example");
    assertEquals(2, dns.count("nowhere.example", "MX"));
  }

  @Test
  void temporaryFailuresAreCachedBrieflyToo() {
    dns.mode(TestDnsServer.Mode.SERVFAIL);
    MxResolver resolver = resolver(options().setNegativeTtl(10));
    failure(resolver, "example.org");
    assertFailure(failure(resolver, "example.org"), false, 451, "4.4.3");
    assertEquals(1, dns.count("example.org", "MX"));
    clock.advanceSeconds(11);
    dns.mode(TestDnsServer.Mode.ANSWER).zone(ZONE);
    assertEquals(List.of("a.example.org"), names(route(resolver, "example.org")));
  }

  @Test
  void aNegativeTtlOfZeroDisablesNegativeCaching() {
    MxResolver resolver = resolver(options().setNegativeTtl(0));
    failure(resolver, "nowhere.example");
    failure(resolver, "nowhere.example");
    assertEquals(2, dns.count("nowhere.example", "MX"));
  }

  @Test
  void concurrentRequestsForOneDomainShareOneLookup() {
    dns.zone(ZONE);
    MxResolver resolver = resolver();
    List<Future<Route>> requests = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      requests.add(resolver.resolve("example.org"));
    }
    join(Future.all(requests));
    requests.forEach(r -> assertEquals(List.of("a.example.org"), names(r.result())));
    assertEquals(1, dns.count("example.org", "MX"));
    assertEquals(1, dns.count("a.example.org", "A"));
  }

  @Test
  void concurrentRequestsForDomainsSharingAnMxHostAllSucceed() {
    // 50 lookups at once, all ending at the same MX host: each gets the host's addresses
    for (int i = 0; i < 50; i++) {
      dns.zone("d" + i + ".example. 300 IN MX 10 mx.example.net.");
    }
    dns.zone("mx.example.net. 300 IN A 192.0.2.1", "mx.example.net. 300 IN AAAA 2001:db8::1");
    MxResolver resolver = resolver();
    List<Future<Route>> requests = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      requests.add(resolver.resolve("d" + i + ".example"));
    }
    join(Future.all(requests));
    requests.forEach(r -> assertEquals(List.of("192.0.2.1", "2001:db8::1"), r.result().hosts().get(0).addresses()));
  }

  @Test
  void callersOnDifferentContextsAreAnsweredOnTheirOwn() {
    dns.zone(ZONE);
    MxResolver resolver = resolver();
    List<Future<Boolean>> sameContext = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Context context = vertx.getOrCreateContext();
      Promise<Boolean> answeredHere = Promise.promise();
      context.runOnContext(v -> resolver.resolve("example.org")
          .onComplete(ar -> answeredHere.complete(Vertx.currentContext() == context)));
      sameContext.add(answeredHere.future());
    }
    join(Future.all(sameContext));
    sameContext.forEach(f -> assertTrue(f.result()));
    assertEquals(1, dns.count("example.org", "MX"));
  }
}
