package io.postino.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.bus.Addresses;
import io.postino.bus.RecipientResult;
import io.postino.bus.RecipientResult.Outcome;
import io.postino.bus.TlsSummary;
import io.postino.dane.TlsaLookup;
import io.postino.dns.MxResolverOptions;
import io.postino.dns.MxResolverVerticle;
import io.postino.dns.TestDnsServer;
import io.postino.dns.ValidatedLookup;
import io.postino.testing.SmtpSink;
import io.postino.testing.TestCertificate;
import io.postino.testing.TestCa;
import io.postino.tlspolicy.StsLookup;
import io.postino.tlspolicy.TlsPolicies;
import io.postino.tlspolicy.TlsPolicyOptions;
import io.postino.tlspolicy.TlsReporter;
import io.postino.tlspolicy.TlsSettings;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * DANE end to end over real sockets: the MX resolver and the TLSA lookups ask a DNS responder on
 * loopback that sets the AD bit for the "signed" names (a validating resolver on this host), and
 * the mail goes to SMTP servers on loopback whose certificates match, or do not match, the TLSA
 * records. What is checked is what an attacker on the path cares about: whether the message left,
 * over what.
 */
class DaneDeliveryTest extends DeliveryTestBase {

  private final List<TlsReporter.Attempt> reported = new CopyOnWriteArrayList<>();
  private SmtpSink second;

  @AfterEach
  void closeSecond() {
    if (second != null) {
      second.close();
    }
  }

  static String spkiSha256(X509Certificate cert) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded()));
  }

  /** A destination offering STARTTLS with a self-signed certificate for {@code name}. */
  static TestCa.Issued startTls(SmtpSink sink, String name) throws Exception {
    TestCa.Issued cert = TestCa.selfSigned(name).dns(name).issue();
    sink.startWithTls(TestCertificate.serving(cert));
    return cert;
  }

  /** The resolver (MX port: the sink's) and a delivery verticle with DANE, reporting every negotiation here. */
  private void deployDane(MxResolverOptions mx, TlsPolicyOptions tlsPolicy) {
    deployDane(this, mx, tlsPolicy, reported::add);
  }

  /** The resolver, its routes marked with what DNSSEC validated, and a delivery verticle with DANE. */
  static void deployDane(DeliveryTestBase test, MxResolverOptions mx, TlsPolicyOptions tlsPolicy,
      TlsReporter reporter) {
    OutboundOptions options = test.fast().setTlsPolicy(tlsPolicy);
    mx.setDnssec(true);
    test.vertx.deployVerticle(new MxResolverVerticle(Addresses.DEFAULT, mx)).await();
    TlsPolicies policies = new TlsPolicies(options.tlsSettings(),
        new TlsaLookup(ValidatedLookup.create(test.vertx, mx)), StsLookup.NONE);
    test.vertx.deployVerticle(new DeliveryVerticle(Addresses.DEFAULT, options, "postino.test", test.dir, null,
        policies, reporter)).await();
  }

  private void deployDane() {
    deployDane(mx().setSmtpPort(sink.port()), new TlsPolicyOptions());
  }

  /** dest.test's MX is mx.dest.test on 127.0.0.1, the whole zone signed, with these TLSA records. */
  private void zone(String... tlsa) {
    String owner = "_" + sink.port() + "._tcp.mx.dest.test.";
    dns.zone("dest.test. 300 IN MX 10 mx.dest.test.", "mx.dest.test. 300 IN A 127.0.0.1");
    for (String record : tlsa) {
      dns.zone(owner + " 300 IN TLSA " + record);
    }
    dns.signed("dest.test", "mx.dest.test", owner);
  }

  private RecipientResult send() throws Exception {
    return deliver(job("Subject: DANE\r\n\r\nfor your eyes only\r\n", "bob@dest.test")).results().get(0);
  }

  @Test
  void aCertificateMatchingTheTlsaRecordsIsDeliveredOverVerifiedTls() throws Exception {
    sink = new SmtpSink();
    TestCa.Issued cert = startTls(sink, "mx.dest.test");
    zone("3 1 1 " + spkiSha256(cert.certificate()));
    deployDane();

    RecipientResult r = send();

    assertEquals(Outcome.DELIVERED, r.outcome(), r.text());
    TlsSummary tls = r.tls();
    assertEquals("dane", tls.policy());
    assertTrue(tls.verified(), tls.toString());
    assertTrue(tls.logForm().startsWith("dane:TLS"), tls.logForm());
    assertTrue(tls.logForm().endsWith(":verified"), tls.logForm());
    assertTrue(sink.next().tls());
    assertEquals(1, reported.size(), reported.toString());
    assertNull(reported.get(0).resultType());
    assertEquals("tlsa", reported.get(0).scope().type());
  }

  @Test
  void aDaneTaRecordAcceptsAChainFromThatAuthorityNamingTheMxHost() throws Exception {
    TestCa ca = TestCa.create("Dest CA");
    TestCa.Issued leaf = ca.leaf("mx.dest.test").dns("mx.dest.test").issue();
    sink = new SmtpSink().startWithTls(TestCertificate.serving(leaf));
    zone("2 1 1 " + spkiSha256(ca.certificate()));
    deployDane();

    RecipientResult r = send();

    assertEquals(Outcome.DELIVERED, r.outcome(), r.text());
    assertEquals("dane", r.tls().policy());
    assertTrue(sink.next().tls());
  }

  @Test
  void aCertificateMatchingNoTlsaRecordIsNeverSentTheMessage() throws Exception {
    sink = new SmtpSink();
    startTls(sink, "mx.dest.test");
    TestCa.Issued other = TestCa.selfSigned("mx.dest.test").dns("mx.dest.test").issue();
    zone("3 1 1 " + spkiSha256(other.certificate()));
    deployDane();

    RecipientResult r = send();

    assertEquals(Outcome.TRANSIENT, r.outcome(), r.text());
    assertEquals("4.7.5", r.status(), r.text());
    assertEquals(0, sink.transactions());
    assertEquals("tlsa-invalid", reported.get(0).resultType(), reported.toString());
  }

  @Test
  void aHostWhoseCertificateDoesNotMatchIsSkippedForTheNextHost() throws Exception {
    sink = new SmtpSink();
    startTls(sink, "mx1.dest.test");
    second = new SmtpSink();
    TestCa.Issued good = startTls(second, "mx2.dest.test");
    TestCa.Issued other = TestCa.selfSigned("mx1.dest.test").dns("mx1.dest.test").issue();
    // a static route lets the two hosts have ports of their own on 127.0.0.1
    dns.zone("mx1.dest.test. 300 IN A 127.0.0.1", "mx2.dest.test. 300 IN A 127.0.0.1",
        "_" + sink.port() + "._tcp.mx1.dest.test. 300 IN TLSA 3 1 1 " + spkiSha256(other.certificate()),
        "_" + second.port() + "._tcp.mx2.dest.test. 300 IN TLSA 3 1 1 " + spkiSha256(good.certificate()));
    dns.signed("mx1.dest.test", "mx2.dest.test", "_" + sink.port() + "._tcp.mx1.dest.test",
        "_" + second.port() + "._tcp.mx2.dest.test");
    deployDane(mx().setRoutes(Map.of("dest.test", List.of("mx1.dest.test:" + sink.port(),
        "mx2.dest.test:" + second.port()))), new TlsPolicyOptions());

    RecipientResult r = send();

    assertEquals(Outcome.DELIVERED, r.outcome(), r.text());
    assertEquals("dane", r.tls().policy());
    assertEquals(0, sink.transactions());
    assertTrue(second.next().tls());
    assertEquals(List.of("tlsa-invalid", "success"), reported.stream()
        .map(a -> a.success() ? "success" : a.resultType()).toList());
  }

  @Test
  void aTlsaLookupThatFailsForASecureHostDefersWithoutConnecting() throws Exception {
    sink = new SmtpSink();
    startTls(sink, "mx.dest.test");
    zone();
    dns.mode("_" + sink.port() + "._tcp.mx.dest.test", TestDnsServer.Mode.SERVFAIL);
    deployDane();

    RecipientResult r = send();

    assertEquals(Outcome.TRANSIENT, r.outcome(), r.text());
    assertEquals("4.7.5", r.status(), r.text());
    assertEquals(0, sink.sessions(), "not even connected to");
    assertEquals("dnssec-invalid", reported.get(0).resultType(), reported.toString());
  }

  @Test
  void withoutTlsaRecordsTheMailGoesWithOpportunisticTls() throws Exception {
    sink = new SmtpSink();
    startTls(sink, "mx.dest.test");
    zone();
    deployDane();

    RecipientResult r = send();

    assertEquals(Outcome.DELIVERED, r.outcome(), r.text());
    assertEquals("opportunistic", r.tls().policy());
    assertTrue(sink.next().tls());
    assertTrue(dns.dnssecQueries().stream().anyMatch(q -> q.type().equals("TLSA")), dns.dnssecQueries().toString());
  }

  @Test
  void tlsaRecordsOfAnUnsignedZoneAreIgnored() throws Exception {
    sink = new SmtpSink();
    startTls(sink, "mx.dest.test");
    TestCa.Issued other = TestCa.selfSigned("mx.dest.test").dns("mx.dest.test").issue();
    zone("3 1 1 " + spkiSha256(other.certificate()));
    dns.unsigned("dest.test", "mx.dest.test", "_" + sink.port() + "._tcp.mx.dest.test");
    deployDane();

    RecipientResult r = send();

    assertEquals(Outcome.DELIVERED, r.outcome(), r.text());
    assertEquals("opportunistic", r.tls().policy());
    assertEquals(0, dns.count("_" + sink.port() + "._tcp.mx.dest.test", "TLSA"), "not even asked");
  }

  @Test
  void aDestinationThatStripsStartTlsNeverReceivesTheMessage() throws Exception {
    sink = new SmtpSink().start();
    TestCa.Issued cert = TestCa.selfSigned("mx.dest.test").dns("mx.dest.test").issue();
    zone("3 1 1 " + spkiSha256(cert.certificate()));
    deployDane();

    RecipientResult r = send();

    assertEquals(Outcome.TRANSIENT, r.outcome(), r.text());
    assertEquals(0, sink.transactions());
    assertEquals("starttls-not-supported", reported.get(0).resultType(), reported.toString());
  }

  @Test
  void daneOnlyDefersADomainWithoutTlsaRecords() throws Exception {
    sink = new SmtpSink();
    startTls(sink, "mx.dest.test");
    zone();
    deployDane(mx().setSmtpPort(sink.port()),
        new TlsPolicyOptions().setDomains(Map.of("dest.test", TlsSettings.Dane.DANE_ONLY)));

    RecipientResult r = send();

    assertEquals(Outcome.TRANSIENT, r.outcome(), r.text());
    assertEquals("4.7.5", r.status(), r.text());
    assertEquals(0, sink.sessions());
  }

  @Test
  void withDaneOffNoDnssecQuestionIsAsked() throws Exception {
    sink = new SmtpSink();
    TestCa.Issued other = TestCa.selfSigned("mx.dest.test").dns("mx.dest.test").issue();
    startTls(sink, "mx.dest.test");
    zone("3 1 1 " + spkiSha256(other.certificate()));
    OutboundOptions options = fast().setTlsPolicy(new TlsPolicyOptions().setDane(TlsSettings.Dane.NONE));
    deploy(mx().setSmtpPort(sink.port()).setDnssec(options.tlsSettings().usesDane()), options);

    RecipientResult r = send();

    assertEquals(Outcome.DELIVERED, r.outcome(), r.text());
    assertEquals("opportunistic", r.tls().policy());
    assertEquals(List.of(), dns.dnssecQueries());
  }
}
