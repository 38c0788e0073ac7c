package io.postino.spf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The macro expansions of RFC 7208 section 7.4, and the macro syntax errors that make a permerror. */
class MacrosTest {

  private static Macros.Context context(String ip) throws Exception {
    return new Macros.Context("strong-bad@email.example.com", "email.example.com", InetAddress.getByName(ip),
        "mx.example.org", null, "mx.receiver.example", 1_700_000_000L);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "%{s}|strong-bad@email.example.com",
      "%{o}|email.example.com",
      "%{d}|email.example.com",
      "%{d4}|email.example.com",
      "%{d3}|email.example.com",
      "%{d2}|example.com",
      "%{d1}|com",
      "%{dr}|com.example.email",
      "%{d2r}|example.email",
      "%{l}|strong-bad",
      "%{l-}|strong.bad",
      "%{lr}|strong-bad",
      "%{lr-}|bad.strong",
      "%{l1r-}|strong",
      "%{ir}.%{v}._spf.%{d2}|3.2.0.192.in-addr._spf.example.com",
      "%{lr-}.lp._spf.%{d2}|bad.strong.lp._spf.example.com",
      "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}|bad.strong.lp.3.2.0.192.in-addr._spf.example.com",
      "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}|3.2.0.192.in-addr.strong.lp._spf.example.com",
      "%{d2}.trusted-domains.example.net|example.com.trusted-domains.example.net",
      "%{h}|mx.example.org",
      "%{p}|unknown",
      "a%%b%_c%-d|a%b c%20d",
      "%{S}|strong-bad%40email.example.com",
  })
  void rfc7208Examples(String spec, String expected) throws Exception {
    assertEquals(expected, Macros.expand(spec, context("192.0.2.3"), true));
  }

  @Test
  void ipv6AddressesExpandToNibbles() throws Exception {
    assertEquals("1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com",
        Macros.expand("%{ir}.%{v}._spf.%{d2}", context("2001:db8::cb01"), false));
  }

  @Test
  void explanationLettersOnlyInExplanations() throws Exception {
    assertEquals("192.0.2.3 mx.receiver.example 1700000000",
        Macros.expand("%{c} %{r} %{t}", context("192.0.2.3"), true));
    assertThrows(SpfException.class, () -> Macros.expand("%{c}.example.com", context("192.0.2.3"), false));
  }

  @Test
  void longExpansionsLoseLabelsOnTheLeft() throws Exception {
    String label = "a".repeat(60);
    String spec = label + "." + label + "." + label + "." + label + ".%{d}";
    String expanded = Macros.expand(spec, context("192.0.2.3"), false);
    assertEquals(label + "." + label + "." + label + ".email.example.com", expanded);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"%{x}", "%{d0}", "%{d", "%", "%a", "%{dr!}", "%{}"})
  void malformedMacrosArePermerrors(String spec) {
    SpfException e = assertThrows(SpfException.class, () -> Macros.check(spec, false));
    assertEquals(SpfResult.PERMERROR, e.result());
  }
}
