package io.postino.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.bus.Addresses;
import io.postino.bus.RecipientResult;
import io.postino.bus.RecipientResult.Outcome;
import io.postino.dns.MxResolverVerticle;
import io.postino.mtasts.MtaStsPolicies;
import io.postino.testing.MtaStsServer;
import io.postino.testing.SmtpSink;
import io.postino.testing.TestCa;
import io.postino.testing.TestCertificate;
import io.postino.tlspolicy.DaneLookup;
import io.postino.tlspolicy.TlsPolicies;
import io.postino.tlspolicy.TlsReporter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Mail to a domain that publishes an MTA-STS policy, end to end over loopback: the domain's MX and
 * {@code _mta-sts} records from a test DNS server, its policy from an HTTPS policy host, and its MX
 * host a real SMTP server with STARTTLS, all with certificates from one test authority.
 */
class MtaStsDeliveryTest extends DeliveryTestBase {

  final List<TlsReporter.Attempt> reports = new CopyOnWriteArrayList<>();
  TestCa ca;
  MtaStsServer web;
  MtaStsPolicies policies;

  @BeforeEach
  void publish() throws Exception {
    ca = TestCa.create("test-ca", dir);
    web = MtaStsServer.start(vertx, ca.issue("mta-sts.dest.test").keyCertOptions());
    dns.zone("dest.test. 300 IN MX 10 mx.dest.test.", "mx.dest.test. 300 IN A 127.0.0.1",
        "mta-sts.dest.test. 300 IN A 127.0.0.1", "_mta-sts.dest.test. 300 IN TXT \"v=STSv1; id=1;\"");
  }

  @AfterEach
  void stop() {
    if (policies != null) {
      policies.close();
    }
    web.close();
  }

  static String policy(String mode, String mx) {
    return "version: STSv1\nmode: " + mode + "\nmx: " + mx + "\nmax_age: 86400\n";
  }

  /** The MX host with a certificate for {@code names}, the resolver, and delivery following MTA-STS. */
  void start(String... names) throws Exception {
    sink = new SmtpSink().startWithTls(TestCertificate.serving(ca.issue(names)));
    OutboundOptions options = fast().setTrustedCertificates(List.of(ca.pemFile().toString()));
    policies = new MtaStsPolicies(vertx, dns.lookups(vertx, Duration.ZERO), reports::add,
        new MtaStsPolicies.Settings(dir.resolve("mta-sts"), web.port(), Duration.ofSeconds(30), Duration.ofHours(1),
            Duration.ZERO, options.getTrustedCertificates()), Clock.systemUTC());
    vertx.deployVerticle(new MxResolverVerticle(Addresses.DEFAULT, mx().setSmtpPort(sink.port()))).await();
    vertx.deployVerticle(new DeliveryVerticle(Addresses.DEFAULT, options, "postino.test", dir, null,
        new TlsPolicies(options.tlsSettings(), DaneLookup.NONE, policies), reports::add)).await();
  }

  @Test
  void enforceWithAListedMxAndAValidCertificateDelivers() throws Exception {
    web.policy(policy("enforce", "mx.dest.test"));
    start("mx.dest.test");

    RecipientResult r = deliver(job("Subject: hi\r\n\r\nx\r\n", "bob@dest.test")).results().get(0);

    assertEquals(Outcome.DELIVERED, r.outcome(), r.toString());
    assertTrue(r.tls().logForm().matches("mta-sts:TLSv1\\.[23]:\\w+:verified"), r.tls().logForm());
    assertTrue(sink.next().tls());
    TlsReporter.Attempt a = onlyReport();
    assertTrue(a.success(), a.toString());
    assertEquals("sts", a.scope().type());
    assertEquals(List.of("mx.dest.test"), a.scope().mxHosts());
  }

  @Test
  void enforceWithACertificateForAnotherNameDefers() throws Exception {
    web.policy(policy("enforce", "mx.dest.test"));
    start("other.dest.test");

    RecipientResult r = deliver(job("x\r\n", "bob@dest.test")).results().get(0);

    assertEquals(Outcome.TRANSIENT, r.outcome(), r.toString());
    assertEquals(0, sink.transactions());
    assertEquals("certificate-host-mismatch", onlyReport().resultType());
  }

  @Test
  void aPolicyThatNamesAnotherMxLeavesTheHostUnused() throws Exception {
    web.policy(policy("enforce", "mail.elsewhere.test"));
    start("mx.dest.test");

    RecipientResult r = deliver(job("x\r\n", "bob@dest.test")).results().get(0);

    assertEquals(Outcome.TRANSIENT, r.outcome(), r.toString());
    assertEquals("4.7.5", r.status(), r.text());
    assertTrue(r.text().contains("MTA-STS"), r.text());
    assertEquals(0, sink.transactions());
    assertEquals("validation-failure", onlyReport().resultType());
  }

  @Test
  void testingDeliversDespiteABadCertificateAndReportsIt() throws Exception {
    web.policy(policy("testing", "mx.dest.test"));
    start("other.dest.test");

    RecipientResult r = deliver(job("x\r\n", "bob@dest.test")).results().get(0);

    assertEquals(Outcome.DELIVERED, r.outcome(), r.toString());
    assertTrue(r.tls().logForm().matches("mta-sts:TLSv1\\.[23]:\\w+:unverified"), r.tls().logForm());
    assertTrue(sink.next().tls());
    waitForReports(1);
    assertEquals("certificate-host-mismatch", onlyReport().resultType());
    assertEquals("sts", onlyReport().scope().type());
  }

  @Test
  void testingWithAGoodCertificateReportsSuccess() throws Exception {
    web.policy(policy("testing", "mx.dest.test"));
    start("mx.dest.test");

    assertEquals(Outcome.DELIVERED, deliver(job("x\r\n", "bob@dest.test")).results().get(0).outcome());
    waitForReports(1);
    assertTrue(onlyReport().success(), onlyReport().toString());
  }

  @Test
  void modeNoneIsOpportunisticTls() throws Exception {
    web.policy("version: STSv1\nmode: none\nmax_age: 86400\n");
    start("other.dest.test");

    RecipientResult r = deliver(job("x\r\n", "bob@dest.test")).results().get(0);

    assertEquals(Outcome.DELIVERED, r.outcome(), r.toString());
    assertTrue(r.tls().logForm().startsWith("opportunistic:TLSv1."), r.tls().logForm());
    assertEquals("no-policy-found", onlyReport().scope().type());
  }

  private TlsReporter.Attempt onlyReport() {
    assertEquals(1, reports.size(), reports.toString());
    return reports.get(0);
  }

  /** The check of a testing-mode session is reported once made, after the mail may have gone. */
  private void waitForReports(int n) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (reports.size() < n) {
      assertTrue(System.nanoTime() < deadline, "no report");
      Thread.onSpinWait();
    }
  }
}
