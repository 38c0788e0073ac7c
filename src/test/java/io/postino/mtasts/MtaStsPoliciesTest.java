package io.postino.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.dns.TestDnsServer;
import io.postino.testing.MtaStsServer;
import io.postino.testing.MutableClock;
import io.postino.testing.TestCa;
import io.postino.tlspolicy.StsPolicy;
import io.postino.tlspolicy.TlsReporter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MTA-STS policies found, fetched and cached over real sockets: a loopback DNS responder with the
 * {@code _mta-sts} TXT and the policy host's A record, and an HTTPS policy host whose certificate
 * comes from a test authority the lookups trust.
 */
class MtaStsPoliciesTest {

  static final String ENFORCE = "version: STSv1\r\nmode: enforce\r\nmx: mx.dest.test\r\nmx: *.backup.dest.test\r\n"
      + "max_age: 86400\r\n";

  @TempDir
  Path dir;
  final Vertx vertx = Vertx.vertx();
  final MutableClock clock = new MutableClock();
  final List<TlsReporter.Attempt> reports = new CopyOnWriteArrayList<>();
  final List<MtaStsPolicies> opened = new ArrayList<>();
  TestDnsServer dns;
  TestCa ca;
  MtaStsServer web;

  @BeforeEach
  void setUp() throws Exception {
    dns = TestDnsServer.start();
    ca = TestCa.create("test-ca", dir);
    web = MtaStsServer.start(vertx, ca.issue("mta-sts.dest.test").keyCertOptions());
    dns.zone("mta-sts.dest.test. 300 IN A 127.0.0.1", "_mta-sts.dest.test. 300 IN TXT \"v=STSv1; id=one;\"");
  }

  @AfterEach
  void tearDown() throws Exception {
    opened.forEach(MtaStsPolicies::close);
    web.close();
    vertx.close().await();
    dns.close();
  }

  MtaStsPolicies policies() {
    return policies(Duration.ofSeconds(30), ca.pemFile());
  }

  MtaStsPolicies policies(Duration timeout, Path trusted) {
    MtaStsPolicies p = new MtaStsPolicies(vertx, dns.lookups(vertx, Duration.ZERO), reports::add,
        new MtaStsPolicies.Settings(dir.resolve("cache"), web.port(), timeout, Duration.ofHours(1), Duration.ZERO,
            List.of(trusted.toString())), clock);
    opened.add(p);
    return p;
  }

  @Test
  void aPolicyIsFetchedFromThePolicyHostWithItsNameForSniAndHost() {
    web.policy(ENFORCE);

    StsPolicy p = policies().policy("dest.test").await();

    assertNotNull(p);
    assertEquals(StsPolicy.Mode.ENFORCE, p.mode());
    assertEquals(List.of("mx.dest.test", "*.backup.dest.test"), p.mx());
    assertEquals(86400, p.maxAge());
    assertEquals("one", p.id());
    assertEquals(List.of(new MtaStsServer.Request("mta-sts.dest.test", "mta-sts.dest.test", PolicyFetcher.PATH)),
        web.requests());
    assertEquals(List.of(), reports);
  }

  @Test
  void aKnownIdIsNotFetchedAgainAndANewIdIs() {
    web.policy(ENFORCE);
    MtaStsPolicies policies = policies();
    policies.policy("dest.test").await();
    policies.policy("dest.test").await();
    assertEquals(1, web.requests().size());

    web.policy(ENFORCE.replace("mode: enforce", "mode: testing"));
    dns.remove("_mta-sts.dest.test").zone("_mta-sts.dest.test. 300 IN TXT \"v=STSv1; id=two;\"");
    StsPolicy p = policies.policy("dest.test").await();

    assertEquals(2, web.requests().size());
    assertEquals(StsPolicy.Mode.TESTING, p.mode());
    assertEquals("two", p.id());
  }

  @Test
  void noRecordMeansNoPolicyAndNoFetch() {
    web.policy(ENFORCE);
    dns.remove("_mta-sts.dest.test");

    assertNull(policies().policy("dest.test").await());
    assertEquals(0, web.requests().size());
  }

  @Test
  void aCachedPolicyOutlivesItsRecordUntilItExpires() {
    web.policy(ENFORCE);
    MtaStsPolicies policies = policies();
    policies.policy("dest.test").await();
    dns.remove("_mta-sts.dest.test");

    clock.advance(Duration.ofHours(23));
    assertNotNull(policies.policy("dest.test").await(), "kept while max_age lasts (RFC 8461 section 5.1)");
    clock.advance(Duration.ofHours(2));
    assertNull(policies.policy("dest.test").await(), "gone once max_age has passed");
  }

  @Test
  void aFailedFetchKeepsTheCachedPolicyAndIsReported() {
    web.policy(ENFORCE);
    MtaStsPolicies policies = policies();
    policies.policy("dest.test").await();

    web.respond(500, "text/plain", "oops");
    dns.remove("_mta-sts.dest.test").zone("_mta-sts.dest.test. 300 IN TXT \"v=STSv1; id=two;\"");
    StsPolicy p = policies.policy("dest.test").await();

    assertNotNull(p);
    assertEquals("one", p.id());
    assertEquals(1, reports.size());
    assertEquals("sts-policy-fetch-error", reports.get(0).resultType());
    assertEquals("dest.test", reports.get(0).scope().domain());
    assertEquals("sts", reports.get(0).scope().type());
    assertTrue(reports.get(0).scope().strings().contains("mode: enforce"), reports.get(0).toString());
  }

  @Test
  void theCacheSurvivesARestart() throws Exception {
    web.policy(ENFORCE);
    policies().policy("dest.test").await();
    assertTrue(Files.exists(dir.resolve("cache/dest.test.json")));

    web.respond(503, "text/plain", "down");
    dns.remove("_mta-sts.dest.test");
    MtaStsPolicies restarted = policies();
    StsPolicy p = restarted.policy("dest.test").await();

    assertNotNull(p);
    assertEquals(List.of("mx.dest.test", "*.backup.dest.test"), p.mx());
    assertEquals(1, web.requests().size(), "the restarted node did not need the policy host");
  }

  @Test
  void anExpiredPolicyIsForgottenOnDiskToo() throws Exception {
    web.policy(ENFORCE);
    MtaStsPolicies policies = policies();
    policies.policy("dest.test").await();
    dns.remove("_mta-sts.dest.test");

    clock.advance(Duration.ofDays(2));
    assertNull(policies.policy("dest.test").await());
    waitUntil(() -> !Files.exists(dir.resolve("cache/dest.test.json")));
    assertNull(policies().policy("dest.test").await());
  }

  @Test
  void concurrentLookupsShareOneFetch() {
    web.policy(ENFORCE);
    MtaStsPolicies policies = policies();
    List<Future<StsPolicy>> all = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      all.add(policies.policy("dest.test"));
    }
    Future.all(all).await();

    all.forEach(f -> assertNotNull(f.result()));
    assertEquals(1, web.requests().size());
  }

  @Test
  void theRefreshFetchesAgainAPolicyNearItsExpiry() {
    web.policy(ENFORCE);
    MtaStsPolicies policies = policies();
    policies.policy("dest.test").await();

    policies.refresh();
    assertEquals(1, web.requests().size(), "early in its life a policy is left alone");

    web.policy(ENFORCE.replace("max_age: 86400", "max_age: 604800"));
    clock.advance(Duration.ofHours(20));
    policies.refresh();
    waitUntil(() -> web.requests().size() == 2);
    waitUntil(() -> policies.cached().get("dest.test").policy().maxAge() == 604800);

    clock.advance(Duration.ofHours(10));
    assertNotNull(policies.policy("dest.test").await(), "the refreshed policy outlives the first one's max_age");
  }

  @Test
  void aRedirectIsNotFollowed() {
    web.redirect("https://mta-sts.dest.test:" + web.port() + "/elsewhere.txt");

    assertNull(policies().policy("dest.test").await());

    assertEquals(1, web.requests().size());
    assertEquals("sts-policy-fetch-error", onlyReport().resultType());
    assertTrue(onlyReport().detail().contains("301"), onlyReport().detail());
  }

  @Test
  void aPolicyOverTheSizeLimitIsRefused() {
    web.large(PolicyFetcher.MAX_SIZE + 4096);

    assertNull(policies().policy("dest.test").await());

    assertEquals("sts-policy-fetch-error", onlyReport().resultType());
    assertTrue(onlyReport().detail().contains("larger than"), onlyReport().detail());
  }

  @Test
  void aPolicyHostThatDoesNotAnswerTimesOut() {
    web.silent();

    assertNull(policies(Duration.ofMillis(500), ca.pemFile()).policy("dest.test").await());

    assertEquals("sts-policy-fetch-error", onlyReport().resultType());
  }

  @Test
  void anUntrustedCertificateIsAWebPkiFailure() throws Exception {
    web.policy(ENFORCE);
    TestCa other = TestCa.create("other-ca", dir);

    assertNull(policies(Duration.ofSeconds(30), other.pemFile()).policy("dest.test").await());

    assertEquals("sts-webpki-invalid", onlyReport().resultType());
  }

  @Test
  void aCertificateForAnotherNameIsAWebPkiFailure() throws Exception {
    web.close();
    web = MtaStsServer.start(vertx, ca.issue("www.dest.test").keyCertOptions()).policy(ENFORCE);

    assertNull(policies().policy("dest.test").await());

    assertEquals("sts-webpki-invalid", onlyReport().resultType());
  }

  @Test
  void anInvalidPolicyIsReportedAndNotUsed() {
    web.policy("version: STSv1\nmode: enforce\nmax_age: 86400\n");

    assertNull(policies().policy("dest.test").await());

    assertEquals("sts-policy-invalid", onlyReport().resultType());
  }

  @Test
  void aPolicyThatIsNotPlainTextIsRefused() {
    web.respond(200, "text/html", ENFORCE);

    assertNull(policies().policy("dest.test").await());

    assertEquals("sts-policy-invalid", onlyReport().resultType());
  }

  @Test
  void aPolicyHostWithoutAddressIsAFetchError() {
    dns.remove("mta-sts.dest.test");

    assertNull(policies().policy("dest.test").await());

    assertEquals("sts-policy-fetch-error", onlyReport().resultType());
    assertFalse(onlyReport().success());
  }

  private TlsReporter.Attempt onlyReport() {
    assertEquals(1, reports.size(), reports.toString());
    return reports.get(0);
  }

  /** Waits for something done in the background (a file written on a worker), at most 10 s. */
  private void waitUntil(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out");
      Thread.onSpinWait();
    }
  }
}
