package io.postino.tlspolicy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** MX host patterns of an MTA-STS policy (RFC 8461 section 4.1). */
class StsPolicyTest {

  private final StsPolicy policy = new StsPolicy(StsPolicy.Mode.ENFORCE,
      List.of("mail.example.com", "*.Example.NET"), 86400, "id", null);

  @Test
  void anExactNameMatchesWhateverItsCaseAndTrailingDot() {
    assertTrue(policy.matches("mail.example.com"));
    assertTrue(policy.matches("MAIL.example.COM"));
    assertTrue(policy.matches("mail.example.com."));
    assertFalse(policy.matches("mail2.example.com"));
    assertFalse(policy.matches("x.mail.example.com"));
    assertFalse(policy.matches("example.com"));
  }

  @Test
  void aWildcardStandsForExactlyOneLabel() {
    assertTrue(policy.matches("mx1.example.net"));
    assertTrue(policy.matches("MX2.EXAMPLE.NET."));
    assertFalse(policy.matches("example.net"), "no label at all");
    assertFalse(policy.matches("a.b.example.net"), "two labels");
    assertFalse(policy.matches("mx1.example.net.evil.test"));
    assertFalse(policy.matches("mx1example.net"));
  }

  @Test
  void thePatternsOfACertificateFollowTheSameRule() {
    assertTrue(StsPolicy.matches(List.of("*.dest.test"), "mx.dest.test"));
    assertFalse(StsPolicy.matches(List.of("*.dest.test"), "dest.test"));
    assertFalse(StsPolicy.matches(List.of(), "mx.dest.test"));
  }
}
