package io.postino.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.bus.RecipientResult;
import io.postino.bus.RecipientResult.Outcome;
import io.postino.testing.SmtpSink;
import io.postino.testing.TestCa;
import io.postino.testing.UnboundResolver;
import io.postino.testing.UnboundResolver.Signing;
import io.postino.testing.UnboundResolver.Zone;
import io.postino.tlspolicy.TlsPolicyOptions;
import io.postino.tlspolicy.TlsReporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * DANE against a real signed zone (signed by ldns-signzone, NSEC records and all) behind a real
 * validating resolver on loopback (Unbound, the zone's key as its trust anchor): the AD bit
 * Postino believes is Unbound's verdict on real signatures, not a test's say-so.
 */
class DaneValidatingResolverTest extends DeliveryTestBase {

  private final List<TlsReporter.Attempt> reported = new CopyOnWriteArrayList<>();
  private UnboundResolver unbound;

  @AfterEach
  void stopUnbound() {
    if (unbound != null) {
      unbound.close();
    }
  }

  /** {@code origin}'s MX is mx.{@code origin} on 127.0.0.1 with this TLSA record, served as {@code signing} says. */
  private Zone zone(String origin, Signing signing, String tlsa) {
    return new Zone(origin, List.of(origin + ". IN MX 10 mx." + origin + ".", "mx." + origin + ". IN A 127.0.0.1",
        "_" + sink.port() + "._tcp.mx." + origin + ". IN TLSA " + tlsa), signing);
  }

  private RecipientResult sendTo(String domain) throws Exception {
    deployDane();
    return deliver(job("Subject: DANE\r\n\r\nfor your eyes only\r\n", "bob@" + domain)).results().get(0);
  }

  private void deployDane() {
    DaneDeliveryTest.deployDane(this, mx().setServers(List.of(unbound.address())).setQueryTimeout(3000)
        .setSmtpPort(sink.port()), new TlsPolicyOptions(), reported::add);
  }

  @Test
  void aSignedZoneWhoseTlsaRecordMatchesGetsTheMailOverDane() throws Exception {
    sink = new SmtpSink();
    TestCa.Issued cert = DaneDeliveryTest.startTls(sink, "mx.signed.test");
    unbound = UnboundResolver.start(dir, zone("signed.test", Signing.SIGNED,
        "3 1 1 " + DaneDeliveryTest.spkiSha256(cert.certificate())));

    RecipientResult r = sendTo("signed.test");

    assertEquals(Outcome.DELIVERED, r.outcome(), r.text());
    assertEquals("dane", r.tls().policy(), r.tls().toString());
    assertTrue(r.tls().verified());
    assertTrue(sink.next().tls());
  }

  @Test
  void aSignedZoneWhoseTlsaRecordDoesNotMatchNeverGetsTheMail() throws Exception {
    sink = new SmtpSink();
    DaneDeliveryTest.startTls(sink, "mx.signed.test");
    TestCa.Issued other = TestCa.selfSigned("mx.signed.test").dns("mx.signed.test").issue();
    unbound = UnboundResolver.start(dir, zone("signed.test", Signing.SIGNED,
        "3 1 1 " + DaneDeliveryTest.spkiSha256(other.certificate())));

    RecipientResult r = sendTo("signed.test");

    assertEquals(Outcome.TRANSIENT, r.outcome(), r.text());
    assertEquals("4.7.5", r.status(), r.text());
    assertEquals(0, sink.transactions());
    assertEquals("tlsa-invalid", reported.get(0).resultType(), reported.toString());
  }

  @Test
  void anUnsignedZonesTlsaRecordsAreIgnored() throws Exception {
    sink = new SmtpSink();
    DaneDeliveryTest.startTls(sink, "mx.plain.test");
    TestCa.Issued other = TestCa.selfSigned("mx.plain.test").dns("mx.plain.test").issue();
    TestCa.Issued anchor = TestCa.selfSigned("mx.signed.test").dns("mx.signed.test").issue();
    unbound = UnboundResolver.start(dir,
        zone("signed.test", Signing.SIGNED, "3 1 1 " + DaneDeliveryTest.spkiSha256(anchor.certificate())),
        zone("plain.test", Signing.UNSIGNED, "3 1 1 " + DaneDeliveryTest.spkiSha256(other.certificate())));

    RecipientResult r = sendTo("plain.test");

    assertEquals(Outcome.DELIVERED, r.outcome(), r.text());
    assertEquals("opportunistic", r.tls().policy());
  }

  @Test
  void aTlsaRecordChangedAfterSigningIsBogusAndTheHostIsNotUsed() throws Exception {
    sink = new SmtpSink();
    TestCa.Issued cert = DaneDeliveryTest.startTls(sink, "mx.signed.test");
    TestCa.Issued forged = TestCa.selfSigned("mx.signed.test").dns("mx.signed.test").issue();
    String real = DaneDeliveryTest.spkiSha256(cert.certificate());
    Zone zone = zone("signed.test", Signing.SIGNED, "3 1 1 " + real);
    // signed once to learn the file, then the record swapped for the attacker's: its signature no longer verifies
    UnboundResolver first = UnboundResolver.start(dir, zone);
    first.close();
    Path signed = UnboundResolver.signedZoneFile(dir, "signed.test");
    String text = Files.readString(signed);
    assertTrue(text.contains(real), text);
    Files.writeString(signed, text.replace(real, DaneDeliveryTest.spkiSha256(forged.certificate())));
    unbound = UnboundResolver.restart(dir);

    RecipientResult r = sendTo("signed.test");

    assertEquals(Outcome.TRANSIENT, r.outcome(), r.text());
    assertEquals("4.7.5", r.status(), r.text());
    assertEquals(0, sink.sessions(), "not even connected to");
    assertEquals("dnssec-invalid", reported.get(0).resultType(), reported.toString());
  }
}
