package io.postino.tlspolicy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What REQUIRETLS and {@code TLS-Required: No} (RFC 8689) do to each host's policy. */
class TlsDemandTest {

  private static final TlsPolicy DANE = new TlsPolicy.Dane(
      List.of(new TlsaRecord(TlsaRecord.DANE_EE, 1, 1, new byte[32])), List.of("mx.example"));
  private static final TlsPolicy STS = new TlsPolicy.Pkix(TlsPolicy.Pkix.MTA_STS, true, true);
  private static final TlsPolicy STS_TESTING = new TlsPolicy.Pkix(TlsPolicy.Pkix.MTA_STS, false, false);
  private static final TlsPolicy VERIFY_IF_TLS = new TlsPolicy.Pkix(TlsPolicy.Pkix.VERIFY, false, true);
  private static final TlsPolicy REQUIRED_VERIFY = new TlsPolicy.Pkix(TlsPolicy.Pkix.VERIFY, true, true);
  private static final TlsPolicy UNUSABLE = new TlsPolicy.Unusable("mta-sts", "4.7.5", "not listed",
      "validation-failure");

  @Test
  void requireTlsWinsOverTheHeaderField() {
    assertEquals(TlsDemand.REQUIRED, TlsDemand.of(true, true));
    assertEquals(TlsDemand.REQUIRED, TlsDemand.of(true, false));
    assertEquals(TlsDemand.OPTIONAL, TlsDemand.of(false, true));
    assertEquals(TlsDemand.NONE, TlsDemand.of(false, false));
  }

  @Test
  void requireTlsKeepsAuthenticatingPoliciesAndMakesEveryOtherHostVerifyItsCertificate() {
    assertSame(DANE, TlsDemand.REQUIRED.apply(DANE));
    assertEquals(STS, TlsDemand.REQUIRED.apply(STS));
    assertSame(UNUSABLE, TlsDemand.REQUIRED.apply(UNUSABLE));
    for (TlsPolicy weaker : List.of(new TlsPolicy.Plaintext(), new TlsPolicy.Opportunistic(), STS_TESTING,
        VERIFY_IF_TLS)) {
      TlsPolicy p = TlsDemand.REQUIRED.apply(weaker);
      assertTrue(p.requiresTls() && p.authenticates(), weaker + " -> " + p);
    }
    assertEquals(REQUIRED_VERIFY, TlsDemand.REQUIRED.apply(new TlsPolicy.Opportunistic()));
    assertEquals(REQUIRED_VERIFY, TlsDemand.REQUIRED.apply(VERIFY_IF_TLS));
  }

  @Test
  void tlsRequiredNoSetsEveryPolicyAsideButPlaintext() {
    for (TlsPolicy p : List.of(DANE, STS, STS_TESTING, VERIFY_IF_TLS, REQUIRED_VERIFY, UNUSABLE,
        new TlsPolicy.Opportunistic())) {
      assertEquals(new TlsPolicy.Opportunistic(), TlsDemand.OPTIONAL.apply(p), p.toString());
    }
    assertEquals(new TlsPolicy.Plaintext(), TlsDemand.OPTIONAL.apply(new TlsPolicy.Plaintext()));
    assertSame(DANE, TlsDemand.NONE.apply(DANE));
  }

  @Test
  void theNameSaysTheMessageRequiredTlsInOneToken() {
    assertEquals("requiretls+dane", TlsDemand.REQUIRED.policyName(DANE));
    assertEquals("requiretls+mta-sts", TlsDemand.REQUIRED.policyName(STS));
    assertEquals("opportunistic", TlsDemand.OPTIONAL.policyName(new TlsPolicy.Opportunistic()));
  }
}
