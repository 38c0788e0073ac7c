package io.postino.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.postino.tlspolicy.StsPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The policy file (RFC 8461 section 3.2). */
class PolicyTextTest {

  @Test
  void theRfcExample() throws Exception {
    String text = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\n"
        + "mx: backupmx.example.com\r\nmax_age: 604800\r\n";
    StsPolicy p = PolicyText.parse(text, "id1");
    assertEquals(StsPolicy.Mode.ENFORCE, p.mode());
    assertEquals(List.of("mail.example.com", "*.example.net", "backupmx.example.com"), p.mx());
    assertEquals(604800, p.maxAge());
    assertEquals("id1", p.id());
    assertEquals(text, p.text());
  }

  @Test
  void bareLineFeedsSpacesExtensionsAndCase() throws Exception {
    StsPolicy p = PolicyText.parse("version:STSv1\nmode:   testing\nfuture_key: whatever\nmx: MX.Example.COM.\n"
        + "max_age: 0\n\n", "x");
    assertEquals(StsPolicy.Mode.TESTING, p.mode());
    assertEquals(List.of("mx.example.com"), p.mx());
    assertEquals(0, p.maxAge());
  }

  @Test
  void modeNoneNeedsNoMx() throws Exception {
    assertEquals(StsPolicy.Mode.NONE, PolicyText.parse("version: STSv1\nmode: none\nmax_age: 86400\n", "x").mode());
  }

  @Test
  void theFirstOfARepeatedKeyCounts() throws Exception {
    StsPolicy p = PolicyText.parse("version: STSv1\nmode: testing\nmode: enforce\nmx: a.test\nmax_age: 5\n"
        + "max_age: 6\n", "x");
    assertEquals(StsPolicy.Mode.TESTING, p.mode());
    assertEquals(5, p.maxAge());
  }

  @Test
  void theLongestMaxAgeIsOneYear() throws Exception {
    assertEquals(31557600, PolicyText.parse(policy("mode: enforce", "max_age: 31557600"), "x").maxAge());
    invalid(policy("mode: enforce", "max_age: 31557601"));
  }

  @Test
  void invalidPolicies() {
    invalid("");
    invalid("mode: enforce\nmx: a.test\nmax_age: 5\n");
    invalid(policy("mode: enforce", "max_age: 5").replace("STSv1", "STSv2"));
    invalid(policy("mode: enforcing", "max_age: 5"));
    invalid(policy("mode: Enforce", "max_age: 5"));
    invalid(policy("mode: enforce", "max_age: -1"));
    invalid(policy("mode: enforce", "max_age: 12345678901"));
    invalid(policy("mode: enforce", "max_age: soon"));
    invalid("version: STSv1\nmode: enforce\nmx: a.test\n");
    invalid("version: STSv1\nmode: testing\nmax_age: 5\n");
    invalid("version: STSv1\nmode: enforce\nmx: a..test\nmax_age: 5\n");
    invalid("version: STSv1\nmode: enforce\nmx: *.*.test\nmax_age: 5\n");
    invalid("version: STSv1\nmode: enforce\nmx: mail.*.test\nmax_age: 5\n");
    invalid("version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 5\nthis line has no colon\n");
  }

  private static String policy(String mode, String maxAge) {
    return "version: STSv1\r\n" + mode + "\r\nmx: mx.example.com\r\n" + maxAge + "\r\n";
  }

  private static void invalid(String text) {
    assertThrows(PolicyText.InvalidPolicyException.class, () -> PolicyText.parse(text, "x"), text);
  }
}
