package io.postino.tlspolicy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.postino.bus.Route;
import io.postino.bus.RouteHost;
import io.postino.tlspolicy.DaneLookup.TlsaAnswer;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The precedence of the TLS policies (TlsPolicies' javadoc, the README's table), with DANE and
 * MTA-STS answers given by fakes.
 */
class TlsPoliciesTest {

  static final TlsaRecord EE = new TlsaRecord(3, 1, 1, new byte[32]);
  static final TlsaRecord PKIX_EE = new TlsaRecord(1, 1, 1, new byte[32]);
  static final StsPolicy ENFORCE = sts(StsPolicy.Mode.ENFORCE, "mx1.dest.test");
  static final StsPolicy TESTING = sts(StsPolicy.Mode.TESTING, "mx1.dest.test");
  static final Route ROUTE = new Route("dest.test", List.of(new RouteHost("mx1.dest.test", 10, List.of("192.0.2.1"), 25),
      new RouteHost("mx2.dest.test", 20, List.of("192.0.2.2"), 25)), Route.Source.MX);

  static StsPolicy sts(StsPolicy.Mode mode, String... mx) {
    return new StsPolicy(mode, List.of(mx), 86400, "id1", "version: STSv1\nmode: " + mode.jsonName() + "\n");
  }

  static TlsSettings settings(boolean verify, Set<String> requireTls, TlsSettings.Dane dane, boolean mtaSts) {
    return new TlsSettings(true, verify, requireTls, dane, Map.of(), mtaSts);
  }

  static TlsSettings defaults() {
    return settings(false, Set.of(), TlsSettings.Dane.MAY, true);
  }

  static DaneLookup dane(TlsaAnswer answer) {
    return (route, host) -> Future.succeededFuture(answer);
  }

  static StsLookup sts(StsPolicy policy) {
    return domain -> Future.succeededFuture(policy);
  }

  static List<TlsPolicy> decide(TlsSettings settings, DaneLookup dane, StsLookup sts) {
    return new TlsPolicies(settings, dane, sts).forRoute(ROUTE).await().hosts().stream()
        .map(Destination.HostPolicy::policy).toList();
  }

  static Destination.HostPolicy first(TlsSettings settings, DaneLookup dane, StsLookup sts) {
    return new TlsPolicies(settings, dane, sts).forRoute(ROUTE).await().hosts().get(0);
  }

  @Test
  void daneBeatsMtaSts() {
    List<TlsPolicy> p = decide(defaults(), dane(TlsaAnswer.secure(List.of(EE))), sts(ENFORCE));
    TlsPolicy.Dane d = assertInstanceOf(TlsPolicy.Dane.class, p.get(0));
    assertEquals(List.of(EE), d.records());
    assertEquals(List.of("mx1.dest.test", "dest.test"), d.names());
    assertInstanceOf(TlsPolicy.Dane.class, p.get(1), "DANE applies even to the host MTA-STS does not list");
    assertEquals("tlsa", first(defaults(), dane(TlsaAnswer.secure(List.of(EE))), sts(ENFORCE)).scope().type());
  }

  @Test
  void mtaStsEnforceVerifiesTheListedHostAndLeavesTheOtherUnused() {
    List<TlsPolicy> p = decide(defaults(), DaneLookup.NONE, sts(ENFORCE));
    assertEquals(new TlsPolicy.Pkix(TlsPolicy.Pkix.MTA_STS, true, true), p.get(0));
    TlsPolicy.Unusable u = assertInstanceOf(TlsPolicy.Unusable.class, p.get(1));
    assertEquals("mta-sts", u.policy());
    assertEquals("4.7.5", u.status());
    Destination.HostPolicy h = first(defaults(), DaneLookup.NONE, sts(ENFORCE));
    assertEquals("sts", h.scope().type());
    assertEquals(List.of("mx1.dest.test"), h.scope().mxHosts());
    assertEquals(List.of("version: STSv1", "mode: enforce"), h.scope().strings());
  }

  @Test
  void mtaStsEnforceBeatsRequireTlsDomains() {
    List<TlsPolicy> p = decide(settings(false, Set.of("dest.test"), TlsSettings.Dane.MAY, true), DaneLookup.NONE,
        sts(ENFORCE));
    assertEquals(new TlsPolicy.Pkix(TlsPolicy.Pkix.MTA_STS, true, true), p.get(0));
    assertInstanceOf(TlsPolicy.Unusable.class, p.get(1), "a host the policy does not list is not used even so");
  }

  @Test
  void requireTlsDomainsBeatsMtaStsTesting() {
    List<TlsPolicy> p = decide(settings(false, Set.of("dest.test"), TlsSettings.Dane.MAY, true), DaneLookup.NONE,
        sts(TESTING));
    assertEquals(List.of(new TlsPolicy.Pkix(TlsPolicy.Pkix.VERIFY, true, true),
        new TlsPolicy.Pkix(TlsPolicy.Pkix.VERIFY, true, true)), p);
  }

  @Test
  void mtaStsTestingChecksWithoutEnforcingOnEveryHost() {
    List<TlsPolicy> p = decide(defaults(), DaneLookup.NONE, sts(TESTING));
    TlsPolicy testing = new TlsPolicy.Pkix(TlsPolicy.Pkix.MTA_STS, false, false);
    assertEquals(List.of(testing, testing), p, "testing never leaves a host unused (RFC 8461 section 5)");
    assertEquals(false, testing.requiresTls());
    assertEquals(false, testing.authenticates());
  }

  @Test
  void mtaStsTestingBeatsVerifyCertificates() {
    assertEquals(new TlsPolicy.Pkix(TlsPolicy.Pkix.MTA_STS, false, false),
        decide(settings(true, Set.of(), TlsSettings.Dane.MAY, true), DaneLookup.NONE, sts(TESTING)).get(0));
  }

  @Test
  void modeNoneIsAsNoPolicy() {
    assertEquals(new TlsPolicy.Opportunistic(), decide(defaults(), DaneLookup.NONE,
        sts(sts(StsPolicy.Mode.NONE))).get(0));
    assertEquals(new TlsPolicy.Pkix(TlsPolicy.Pkix.VERIFY, false, true), decide(
        settings(true, Set.of(), TlsSettings.Dane.MAY, true), DaneLookup.NONE, sts(sts(StsPolicy.Mode.NONE))).get(0));
    assertEquals("no-policy-found", first(defaults(), DaneLookup.NONE, sts(sts(StsPolicy.Mode.NONE))).scope().type());
  }

  @Test
  void withoutAnyPolicyTheConfigurationDecides() {
    assertEquals(new TlsPolicy.Opportunistic(), decide(defaults(), DaneLookup.NONE, StsLookup.NONE).get(0));
    assertEquals(new TlsPolicy.Plaintext(), decide(new TlsSettings(false, false, Set.of(), TlsSettings.Dane.MAY,
        Map.of(), true), DaneLookup.NONE, StsLookup.NONE).get(0));
  }

  @Test
  void mtaStsOffIsNotAsked() {
    AtomicInteger asked = new AtomicInteger();
    StsLookup counting = domain -> {
      asked.incrementAndGet();
      return Future.succeededFuture(ENFORCE);
    };
    assertEquals(new TlsPolicy.Opportunistic(), decide(settings(false, Set.of(), TlsSettings.Dane.MAY, false),
        DaneLookup.NONE, counting).get(1));
    assertEquals(0, asked.get());
  }

  @Test
  void aStaticRouteIsNotUnderTheDomainsMtaStsPolicy() {
    AtomicInteger asked = new AtomicInteger();
    StsLookup counting = domain -> {
      asked.incrementAndGet();
      return Future.succeededFuture(ENFORCE);
    };
    Route smarthost = new Route("dest.test", List.of(new RouteHost("relay.test", 0, List.of("192.0.2.9"), 587)),
        Route.Source.STATIC);
    Destination d = new TlsPolicies(defaults(), DaneLookup.NONE, counting).forRoute(smarthost).await();
    assertEquals(new TlsPolicy.Opportunistic(), d.hosts().get(0).policy());
    assertEquals(0, asked.get());
  }

  @Test
  void aFailingMtaStsLookupIsNoPolicy() {
    assertEquals(new TlsPolicy.Opportunistic(), decide(defaults(), DaneLookup.NONE,
        domain -> Future.failedFuture("broken")).get(1));
  }

  @Test
  void secureTlsaRecordsNoneUsableFallBackToMtaSts() {
    assertEquals(new TlsPolicy.Pkix(TlsPolicy.Pkix.MTA_STS, true, true),
        decide(defaults(), dane(TlsaAnswer.secure(List.of(PKIX_EE))), sts(ENFORCE)).get(0));
  }

  @Test
  void aFailedTlsaLookupOnASecureRouteLeavesTheHostUnusedWhateverMtaStsSays() {
    TlsPolicy.Unusable u = assertInstanceOf(TlsPolicy.Unusable.class,
        decide(defaults(), dane(TlsaAnswer.failed("SERVFAIL")), sts(ENFORCE)).get(0));
    assertEquals("dane", u.policy());
    assertEquals("4.7.5", u.status());
    assertEquals("dnssec-invalid", u.resultType());
    assertInstanceOf(TlsPolicy.Unusable.class,
        decide(defaults(), (route, host) -> Future.failedFuture("lookup crashed"), StsLookup.NONE).get(0),
        "a DANE lookup that fails its future counts as a failed lookup");
  }

  @Test
  void daneOnlyLeavesHostsWithoutDaneUnused() {
    TlsSettings daneOnly = settings(false, Set.of(), TlsSettings.Dane.DANE_ONLY, true);
    TlsPolicy.Unusable none = assertInstanceOf(TlsPolicy.Unusable.class,
        decide(daneOnly, DaneLookup.NONE, sts(ENFORCE)).get(0));
    assertEquals("dane-required", none.resultType());
    TlsPolicy.Unusable unusable = assertInstanceOf(TlsPolicy.Unusable.class,
        decide(daneOnly, dane(TlsaAnswer.secure(List.of(PKIX_EE))), StsLookup.NONE).get(0));
    assertEquals("tlsa-invalid", unusable.resultType());
    assertInstanceOf(TlsPolicy.Dane.class, decide(daneOnly, dane(TlsaAnswer.secure(List.of(EE))), StsLookup.NONE)
        .get(0));
  }

  @Test
  void daneOffForADomainIsNotAsked() {
    AtomicInteger asked = new AtomicInteger();
    DaneLookup counting = (route, host) -> {
      asked.incrementAndGet();
      return Future.succeededFuture(TlsaAnswer.secure(List.of(EE)));
    };
    TlsSettings off = new TlsSettings(true, false, Set.of(), TlsSettings.Dane.MAY,
        Map.of("dest.test", TlsSettings.Dane.NONE), true);
    assertEquals(new TlsPolicy.Pkix(TlsPolicy.Pkix.MTA_STS, true, true), decide(off, counting, sts(ENFORCE)).get(0));
    assertEquals(0, asked.get());
  }
}
