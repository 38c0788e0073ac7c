package io.postino.tlspolicy;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.TestCa;
import io.postino.testing.TestCa.Issued;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * DANE's certificate checks (RFC 7672 section 3) on certificates made in the test: DANE-EE by the
 * certificate or its key, each matching type, without name or date checks; DANE-TA by an
 * authority of the presented chain, with the chain validated and the names checked.
 */
class DaneTrustManagerTest {

  private static final List<String> NAMES = List.of("mx.example.org", "example.org");

  /** The record of this usage, selector and matching type for {@code cert}. */
  static TlsaRecord record(int usage, int selector, int matching, X509Certificate cert) throws Exception {
    byte[] selected = selector == 0 ? cert.getEncoded() : cert.getPublicKey().getEncoded();
    byte[] data = switch (matching) {
      case 0 -> selected;
      case 1 -> MessageDigest.getInstance("SHA-256").digest(selected);
      default -> MessageDigest.getInstance("SHA-512").digest(selected);
    };
    return new TlsaRecord(usage, selector, matching, data);
  }

  private static DaneTrustManager manager(TlsaRecord... records) {
    return new DaneTrustManager(new TlsPolicy.Dane(List.of(records), NAMES));
  }

  private static DaneVerificationException refused(DaneTrustManager manager, X509Certificate... chain) {
    return assertThrows(DaneVerificationException.class, () -> manager.checkServerTrusted(chain, "ECDHE_ECDSA"));
  }

  @Test
  void daneEeMatchesTheCertificateOrItsKeyByEveryMatchingTypeWithoutNamesOrDates() throws Exception {
    Instant longAgo = Instant.now().minus(400, ChronoUnit.DAYS);
    Issued leaf = TestCa.selfSigned("whatever.invalid").dns("other.invalid")
        .validity(longAgo, longAgo.plus(1, ChronoUnit.DAYS)).issue();
    X509Certificate cert = leaf.certificate();
    for (int selector = 0; selector <= 1; selector++) {
      for (int matching = 0; matching <= 2; matching++) {
        TlsaRecord r = record(TlsaRecord.DANE_EE, selector, matching, cert);
        assertTrue(r.usable(), r.toString());
        assertDoesNotThrow(() -> manager(r).checkServerTrusted(new X509Certificate[] {cert}, "ECDHE_ECDSA"),
            r.toString());
      }
    }
  }

  @Test
  void aCertificateNoRecordMatchesIsTlsaInvalid() throws Exception {
    Issued presented = TestCa.selfSigned("mx.example.org").dns(NAMES).issue();
    Issued published = TestCa.selfSigned("mx.example.org").dns(NAMES).issue();
    for (int selector = 0; selector <= 1; selector++) {
      for (int matching = 0; matching <= 2; matching++) {
        DaneVerificationException e = refused(manager(record(TlsaRecord.DANE_EE, selector, matching,
            published.certificate())), presented.certificate());
        assertEquals("tlsa-invalid", e.resultType(), e.getMessage());
      }
    }
  }

  @Test
  void daneEeMatchesTheServersOwnCertificateNotOneAboveIt() throws Exception {
    TestCa ca = TestCa.create("Test CA");
    Issued leaf = ca.leaf("mx.example.org").dns(NAMES).issue();
    DaneTrustManager eeForTheCa = manager(record(TlsaRecord.DANE_EE, 1, 1, ca.certificate()));
    assertEquals("tlsa-invalid", refused(eeForTheCa, leaf.certificate(), ca.certificate()).resultType());
  }

  @Test
  void daneTaMatchesAnAuthorityOfTheChainWithTheNamesChecked() throws Exception {
    TestCa ca = TestCa.create("Test CA");
    for (String name : List.of("mx.example.org", "*.example.org", "example.org", "MX.Example.Org.")) {
      Issued leaf = ca.leaf("ignored").dns(name).issue();
      for (int selector = 0; selector <= 1; selector++) {
        DaneTrustManager m = manager(record(TlsaRecord.DANE_TA, selector, 1, ca.certificate()));
        assertDoesNotThrow(() -> m.checkServerTrusted(new X509Certificate[] {leaf.certificate(), ca.certificate()},
            "ECDHE_ECDSA"), name);
      }
    }
  }

  @Test
  void daneTaRefusesACertificateForAnotherName() throws Exception {
    TestCa ca = TestCa.create("Test CA");
    DaneTrustManager m = manager(record(TlsaRecord.DANE_TA, 1, 1, ca.certificate()));
    for (String name : List.of("mx.example.net", "*.mx.example.org", "m*.example.org", "a.mx.example.org")) {
      Issued leaf = ca.leaf("mx.example.org").dns(name).issue();
      DaneVerificationException e = refused(m, leaf.certificate(), ca.certificate());
      assertEquals("certificate-host-mismatch", e.resultType(), name + ": " + e.getMessage());
    }
  }

  @Test
  void withoutDnsNamesTheCommonNameIsTheName() throws Exception {
    TestCa ca = TestCa.create("Test CA");
    DaneTrustManager m = manager(record(TlsaRecord.DANE_TA, 0, 2, ca.certificate()));
    Issued named = ca.leaf("mx.example.org").issue();
    assertDoesNotThrow(() -> m.checkServerTrusted(new X509Certificate[] {named.certificate(), ca.certificate()},
        "ECDHE_ECDSA"));
    Issued other = ca.leaf("mx.example.net").issue();
    assertEquals("certificate-host-mismatch", refused(m, other.certificate(), ca.certificate()).resultType());
  }

  @Test
  void daneTaRefusesACertificateTheAuthorityDidNotSign() throws Exception {
    TestCa ca = TestCa.create("Test CA");
    TestCa impostor = TestCa.create("Test CA");
    Issued leaf = impostor.leaf("mx.example.org").dns(NAMES).issue();
    DaneTrustManager m = manager(record(TlsaRecord.DANE_TA, 1, 1, ca.certificate()));
    // the impostor's leaf presented with the real authority's certificate: the signature does not verify
    DaneVerificationException e = refused(m, leaf.certificate(), ca.certificate());
    assertEquals("validation-failure", e.resultType(), e.getMessage());
    // and presented with its own authority, no record matches
    assertEquals("tlsa-invalid", refused(m, leaf.certificate(), impostor.certificate()).resultType());
  }

  @Test
  void daneTaRefusesAnExpiredServerCertificate() throws Exception {
    TestCa ca = TestCa.create("Test CA");
    Instant then = Instant.now().minus(10, ChronoUnit.DAYS);
    Issued leaf = ca.leaf("mx.example.org").dns(NAMES).validity(then, then.plus(1, ChronoUnit.DAYS)).issue();
    DaneTrustManager m = manager(record(TlsaRecord.DANE_TA, 1, 1, ca.certificate()));
    assertEquals("certificate-expired", refused(m, leaf.certificate(), ca.certificate()).resultType());
  }

  @Test
  void aTrustAnchorTheServerDoesNotSendIsNotFound() throws Exception {
    TestCa ca = TestCa.create("Test CA");
    Issued leaf = ca.leaf("mx.example.org").dns(NAMES).issue();
    DaneTrustManager m = manager(record(TlsaRecord.DANE_TA, 1, 1, ca.certificate()));
    assertEquals("tlsa-invalid", refused(m, leaf.certificate()).resultType());
  }

  @Test
  void wildcardsMatchOneWholeLeftMostLabel() {
    assertTrue(DaneTrustManager.nameMatches("*.example.org", "mx.example.org"));
    assertFalse(DaneTrustManager.nameMatches("*.example.org", "example.org"));
    assertFalse(DaneTrustManager.nameMatches("*.example.org", "a.mx.example.org"));
    assertFalse(DaneTrustManager.nameMatches("mx*.example.org", "mx1.example.org"));
    assertTrue(DaneTrustManager.nameMatches("MX.example.org.", "mx.EXAMPLE.org"));
  }
}
