package io.postino.spf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.dns.TestDnsServer;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * check_host() against zones served on loopback, one rule of RFC 7208 at a time. Several cases
 * follow the scenarios of the openspf/pyspf RFC 7208 test suite (test/rfc7208-tests.yml of
 * github.com/sdgathman/pyspf, release 2014.04), named after them, with zones written here.
 */
class SpfEvaluatorTest {

  private static Vertx vertx;
  private TestDnsServer dns;
  private SpfEvaluator spf;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() {
    vertx.close().await();
  }

  @BeforeEach
  void start() throws Exception {
    dns = TestDnsServer.start();
    spf = evaluator(Duration.ZERO);
  }

  @AfterEach
  void stop() throws Exception {
    dns.close();
  }

  private SpfEvaluator evaluator(Duration cacheTtl) {
    return new SpfEvaluator(dns.lookups(vertx, cacheTtl), "mx.receiver.test",
        Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC));
  }

  private SpfOutcome check(String ip, String sender) throws Exception {
    String domain = sender.substring(sender.indexOf('@') + 1);
    return spf.check(InetAddress.getByName(ip), domain, sender, "helo.test").await();
  }

  private SpfResult result(String ip, String sender) throws Exception {
    return check(ip, sender).result();
  }

  private void txt(String name, String text) {
    dns.zone(name + ". 300 IN TXT \"" + text + "\"");
  }

  @Test
  void ip4WithPrefix() throws Exception {
    txt("ip4.test", "v=spf1 ip4:192.0.2.0/24 -all");
    assertEquals(SpfResult.PASS, result("192.0.2.77", "a@ip4.test"));
    assertEquals(SpfResult.FAIL, result("198.51.100.1", "a@ip4.test"));
  }

  @Test
  void ip6WithPrefixAndQualifiers() throws Exception {
    txt("ip6.test", "v=spf1 ip6:2001:db8::/32 ?ip4:192.0.2.1 ~all");
    assertEquals(SpfResult.PASS, result("2001:db8::25", "a@ip6.test"));
    assertEquals(SpfResult.SOFTFAIL, result("2001:db9::25", "a@ip6.test"));
    assertEquals(SpfResult.NEUTRAL, result("192.0.2.1", "a@ip6.test"));
    // an IPv4-mapped IPv6 client is an IPv4 client (section 5)
    assertEquals(SpfResult.NEUTRAL, result("::ffff:192.0.2.1", "a@ip6.test"));
  }

  @Test
  void aWithDualPrefixLengths() throws Exception {
    txt("a.test", "v=spf1 a/24//64 a:other.a.test -all");
    dns.zone("a.test. 300 IN A 192.0.2.10", "a.test. 300 IN AAAA 2001:db8:1::1", "other.a.test. 300 IN A 198.51.100.5");
    assertEquals(SpfResult.PASS, result("192.0.2.200", "a@a.test"));
    assertEquals(SpfResult.PASS, result("2001:db8:1::ffff", "a@a.test"));
    assertEquals(SpfResult.PASS, result("198.51.100.5", "a@a.test"));
    assertEquals(SpfResult.FAIL, result("198.51.100.6", "a@a.test"));
  }

  @Test
  void mx() throws Exception {
    txt("mx.test", "v=spf1 mx -all");
    dns.zone("mx.test. 300 IN MX 10 mx1.mx.test.", "mx.test. 300 IN MX 20 mx2.mx.test.",
        "mx1.mx.test. 300 IN A 192.0.2.20", "mx2.mx.test. 300 IN A 192.0.2.21");
    assertEquals(SpfResult.PASS, result("192.0.2.21", "a@mx.test"));
    assertEquals(SpfResult.FAIL, result("192.0.2.22", "a@mx.test"));
  }

  @Test
  void moreThanTenMxRecordsIsAPermerror() throws Exception {
    txt("mxlimit.test", "v=spf1 mx -all");
    for (int i = 0; i < 11; i++) {
      dns.zone("mxlimit.test. 300 IN MX " + i + " mx" + i + ".mxlimit.test.",
          "mx" + i + ".mxlimit.test. 300 IN A 192.0.2." + (100 + i));
    }
    assertEquals(SpfResult.PERMERROR, result("192.0.2.100", "a@mxlimit.test"));
  }

  @Test
  void ptrIsValidatedBothWays() throws Exception {
    txt("ptr.test", "v=spf1 ptr -all");
    dns.zone("9.2.0.192.in-addr.arpa. 300 IN PTR mail.ptr.test.", "mail.ptr.test. 300 IN A 192.0.2.9",
        // a PTR the forward lookup does not confirm
        "10.2.0.192.in-addr.arpa. 300 IN PTR liar.ptr.test.", "liar.ptr.test. 300 IN A 192.0.2.99");
    assertEquals(SpfResult.PASS, result("192.0.2.9", "a@ptr.test"));
    assertEquals(SpfResult.FAIL, result("192.0.2.10", "a@ptr.test"));
    assertEquals(SpfResult.FAIL, result("192.0.2.11", "a@ptr.test"));
  }

  @Test
  void includeMatchesOnlyOnPass() throws Exception {
    txt("inc.test", "v=spf1 include:provider.test -all");
    txt("provider.test", "v=spf1 ip4:192.0.2.30 ~all");
    assertEquals(SpfResult.PASS, result("192.0.2.30", "a@inc.test"));
    // the included record's softfail is no match: the including record's -all decides
    assertEquals(SpfResult.FAIL, result("192.0.2.31", "a@inc.test"));
  }

  @Test
  void includeOfADomainWithoutRecordIsAPermerror() throws Exception {
    txt("badinc.test", "v=spf1 include:norecord.test -all");
    dns.zone("norecord.test. 300 IN A 192.0.2.1");
    assertEquals(SpfResult.PERMERROR, result("192.0.2.30", "a@badinc.test"));
  }

  @Test
  void redirectAppliesWhenNothingMatchedAndItsExplanationWins() throws Exception {
    txt("red.test", "v=spf1 ip4:192.0.2.40 redirect=target.test exp=ignored.test");
    txt("target.test", "v=spf1 ip4:192.0.2.41 -all exp=why.target.test");
    txt("why.target.test", "%{i} is not a server of %{d}");
    txt("ignored.test", "wrong explanation");
    assertEquals(SpfResult.PASS, result("192.0.2.40", "a@red.test"));
    assertEquals(SpfResult.PASS, result("192.0.2.41", "a@red.test"));
    SpfOutcome fail = check("192.0.2.42", "a@red.test");
    assertEquals(SpfResult.FAIL, fail.result());
    assertEquals("192.0.2.42 is not a server of target.test", fail.explanation());
  }

  @Test
  void redirectToADomainWithoutRecordIsAPermerror() throws Exception {
    txt("red2.test", "v=spf1 redirect=norecord2.test");
    dns.zone("norecord2.test. 300 IN A 192.0.2.1");
    assertEquals(SpfResult.PERMERROR, result("192.0.2.1", "a@red2.test"));
  }

  @Test
  void redirectAfterAllIsNeverUsed() throws Exception {
    // rfc7208-tests "redirect-after-mechanisms1": a redirect loop, unused because of all
    txt("t5.test", "v=spf1 redirect=t5.test ~all");
    assertEquals(SpfResult.SOFTFAIL, result("192.0.2.1", "a@t5.test"));
  }

  @Test
  void existsWithMacros() throws Exception {
    txt("ex.test", "v=spf1 exists:%{ir}.%{l1r-}.lp._spf.%{d} -all");
    dns.zone("7.2.0.192.strong.lp._spf.ex.test. 300 IN A 127.0.0.2");
    assertEquals(SpfResult.PASS, result("192.0.2.7", "strong-bad@ex.test"));
    assertEquals(SpfResult.FAIL, result("192.0.2.8", "strong-bad@ex.test"));
  }

  @Test
  void explanationIsExpandedWithExplanationMacros() throws Exception {
    txt("exp.test", "v=spf1 -all exp=explain.exp.test");
    txt("explain.exp.test", "%{c} may not send for %{o}, says %{r}");
    SpfOutcome o = check("192.0.2.9", "a@exp.test");
    assertEquals(SpfResult.FAIL, o.result());
    assertEquals("192.0.2.9 may not send for exp.test, says mx.receiver.test", o.explanation());
  }

  @Test
  void aBrokenExplanationIsNoExplanation() throws Exception {
    txt("exp2.test", "v=spf1 -all exp=explain.exp2.test");
    txt("explain.exp2.test", "bad %{x} macro");
    SpfOutcome o = check("192.0.2.9", "a@exp2.test");
    assertEquals(SpfResult.FAIL, o.result());
    assertEquals(null, o.explanation());
  }

  @Test
  void tenLookupsAreAllowedAndTheEleventhIsAPermerror() throws Exception {
    dns.zone("host.limit.test. 300 IN A 198.51.100.1");
    txt("ten.limit.test", "v=spf1" + " a:host.limit.test".repeat(10) + " -all");
    txt("eleven.limit.test", "v=spf1" + " a:host.limit.test".repeat(11) + " -all");
    assertEquals(SpfResult.FAIL, result("192.0.2.1", "a@ten.limit.test"));
    SpfOutcome o = check("192.0.2.1", "a@eleven.limit.test");
    assertEquals(SpfResult.PERMERROR, o.result());
    assertTrue(o.reason().contains("10 DNS lookups"), o.reason());
  }

  @Test
  void lookupsAreCountedAcrossIncludes() throws Exception {
    dns.zone("host.limit.test. 300 IN A 198.51.100.1");
    txt("outer.limit.test", "v=spf1" + " a:host.limit.test".repeat(6) + " include:inner.limit.test -all");
    txt("inner.limit.test", "v=spf1" + " a:host.limit.test".repeat(4) + " -all");
    // 6 + the include + 4 = 11
    assertEquals(SpfResult.PERMERROR, result("192.0.2.1", "a@outer.limit.test"));
  }

  @Test
  void twoVoidLookupsAreAllowedAndTheThirdIsAPermerror() throws Exception {
    dns.zone("exists.void.test. 300 IN TXT \"not an address\"");
    txt("two.void.test", "v=spf1 a:nx1.void.test a:exists.void.test -all");
    txt("three.void.test", "v=spf1 a:nx1.void.test a:exists.void.test exists:nx2.void.test -all");
    assertEquals(SpfResult.FAIL, result("192.0.2.1", "a@two.void.test"));
    SpfOutcome o = check("192.0.2.1", "a@three.void.test");
    assertEquals(SpfResult.PERMERROR, o.result());
    assertTrue(o.reason().contains("void"), o.reason());
  }

  @Test
  void noRecordIsNoneAndANonexistentDomainToo() throws Exception {
    dns.zone("plain.test. 300 IN TXT \"v=spf10 -all\"", "plain.test. 300 IN TXT \"google-site-verification=x\"");
    assertEquals(SpfResult.NONE, result("192.0.2.1", "a@plain.test"));
    assertEquals(SpfResult.NONE, result("192.0.2.1", "a@nonexistent.test"));
    // rfc7208-tests "toolonglabel", "emptylabel"
    assertEquals(SpfResult.NONE, result("192.0.2.1", "a@" + "x".repeat(64) + ".test"));
    assertEquals(SpfResult.NONE, result("192.0.2.1", "a@a...test"));
    // rfc7208-tests "domain-literal": no DNS question is asked for it
    assertEquals(SpfResult.NONE, result("192.0.2.1", "a@[192.0.2.1]"));
  }

  @Test
  void aRecordOfSeveralStringsIsReadJoinedNextToOtherTxtRecords() throws Exception {
    // RFC 7208 section 3.3: a record over 255 octets is published as several strings, read joined
    StringBuilder record = new StringBuilder("v=spf1");
    for (int i = 1; i <= 30; i++) {
      record.append(" ip4:198.51.100.").append(i);
    }
    record.append(" ip4:192.0.2.77 -all");
    String text = record.toString();
    assertTrue(text.length() > 255, "long enough to need several strings: " + text.length());
    // strings of 200 octets, split inside mechanisms, as nothing forbids; unrelated records before and after
    StringBuilder strings = new StringBuilder();
    for (int i = 0; i < text.length(); i += 200) {
      strings.append(" \"").append(text, i, Math.min(text.length(), i + 200)).append('"');
    }
    dns.zone("long.test. 300 IN TXT \"google-site-verification=abc\"", "long.test. 300 IN TXT" + strings,
        "long.test. 300 IN TXT \"MS=ms12345\"");
    assertEquals(SpfResult.PASS, result("192.0.2.77", "a@long.test"));
    assertEquals(SpfResult.PASS, result("198.51.100.30", "a@long.test"));
    assertEquals(SpfResult.FAIL, result("192.0.2.1", "a@long.test"));
  }

  @Test
  void severalRecordsAreAPermerror() throws Exception {
    // rfc7208-tests "multitxt2": the version is case-insensitive
    txt("multi.test", "v=spf1 -all");
    txt("multi.test", "V=sPf1 +all");
    assertEquals(SpfResult.PERMERROR, result("192.0.2.1", "a@multi.test"));
  }

  @Test
  void emptyRecordIsNeutralAndVersionIsCaseInsensitive() throws Exception {
    txt("empty.test", "v=spf1");
    txt("case.test", "v=SpF1 ~all");
    assertEquals(SpfResult.NEUTRAL, result("192.0.2.1", "a@empty.test"));
    assertEquals(SpfResult.SOFTFAIL, result("192.0.2.1", "a@case.test"));
  }

  @Test
  void syntaxErrorsAnywhereArePermerrorsEvenAfterAMatch() throws Exception {
    // rfc7208-tests "detect-errors-anywhere", "modifier-charset-bad1", "redirect-is-modifier", "invalid-domain"
    txt("t1.test", "v=spf1 ip4:192.0.2.1 -all moo");
    txt("t3.test", "v=spf1 moo.cow/far_out=man:dog/cat ip4:192.0.2.1 -all");
    txt("t8.test", "v=spf1 ip4:192.0.2.1 redirect:t2.test");
    txt("t9.test", "v=spf1 a:foo-bar -all");
    txt("t13.test", "v=spf1 ip4:192.0.2.1/33 -all");
    txt("t14.test", "v=spf1 ip4:192.0.2.256 -all");
    txt("t15.test", "v=spf1 -all redirect=a.test redirect=b.test");
    for (String d : List.of("t1", "t3", "t8", "t9", "t13", "t14", "t15")) {
      assertEquals(SpfResult.PERMERROR, result("192.0.2.1", "a@" + d + ".test"), d);
    }
  }

  @Test
  void unknownModifiersAreIgnored() throws Exception {
    // rfc7208-tests "modifier-charset-good"
    txt("t2.test", "v=spf1 moo.cow-far_out=man:dog/cat ip4:192.0.2.1 -all");
    assertEquals(SpfResult.PASS, result("192.0.2.1", "a@t2.test"));
  }

  @Test
  void aTargetWithAnEmptyLabelDoesNotMatch() throws Exception {
    // rfc7208-tests "invalid-domain-empty-label": fail or permerror; here no match, so fail
    txt("t10.test", "v=spf1 a:mail.example...com -all");
    assertEquals(SpfResult.FAIL, result("192.0.2.1", "a@t10.test"));
  }

  @Test
  void aDnsTimeoutIsATemperror() throws Exception {
    txt("slow.test", "v=spf1 -all");
    dns.mode("slow.test", TestDnsServer.Mode.SILENT);
    assertEquals(SpfResult.TEMPERROR, result("192.0.2.1", "a@slow.test"));
    txt("slowinc.test", "v=spf1 include:slowprovider.test -all");
    dns.mode("slowprovider.test", TestDnsServer.Mode.SERVFAIL);
    assertEquals(SpfResult.TEMPERROR, result("192.0.2.1", "a@slowinc.test"));
  }

  @Test
  void answersAreCachedButTemporaryFailuresAreNot() throws Exception {
    spf = evaluator(Duration.ofMinutes(5));
    txt("cached.test", "v=spf1 ip4:192.0.2.1 -all");
    assertEquals(SpfResult.PASS, result("192.0.2.1", "a@cached.test"));
    assertEquals(SpfResult.FAIL, result("192.0.2.2", "a@cached.test"));
    assertEquals(1, dns.count("cached.test", "TXT"));
    dns.mode("flaky.test", TestDnsServer.Mode.SERVFAIL);
    assertEquals(SpfResult.TEMPERROR, result("192.0.2.1", "a@flaky.test"));
    assertEquals(SpfResult.TEMPERROR, result("192.0.2.1", "a@flaky.test"));
    assertEquals(2, dns.count("flaky.test", "TXT"));
  }
}
