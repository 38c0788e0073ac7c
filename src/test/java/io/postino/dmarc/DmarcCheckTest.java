package io.postino.dmarc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.postino.authres.AuthResult;
import io.postino.authres.AuthorPolicy.Disposition;
import io.postino.authres.AuthorPolicy.Outcome;
import io.postino.dns.TestDnsServer;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** DMARC policy discovery, alignment and dispositions against zones served on loopback. */
class DmarcCheckTest {

  private static Vertx vertx;
  private TestDnsServer dns;
  private final AtomicInteger percentile = new AtomicInteger();
  private DmarcOptions options;

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
    options = new DmarcOptions().setEnabled(true);
    dns.zone("_dmarc.example.org. 300 IN TXT \"v=DMARC1; p=reject; rua=mailto:d@example.org\"",
        "_dmarc.strict.example. 300 IN TXT \"v=DMARC1; p=quarantine; adkim=s; aspf=s\"",
        "_dmarc.parent.co.uk. 300 IN TXT \"v=DMARC1; p=none; sp=reject\"",
        "_dmarc.sample.example. 300 IN TXT \"v=DMARC1; p=reject; pct=30\"");
  }

  @AfterEach
  void stop() throws Exception {
    dns.close();
  }

  private Outcome evaluate(String from, AuthResult... results) {
    DmarcCheck check = new DmarcCheck(dns.lookups(vertx, Duration.ZERO), options, percentile::get);
    return check.evaluate(from, List.of(results)).await();
  }

  private static AuthResult spf(String result, String mailfrom) {
    return AuthResult.of("spf", result, null).with("smtp.mailfrom", mailfrom);
  }

  private static AuthResult dkim(String result, String d) {
    return AuthResult.of("dkim", result, null).with("header.d", d).with("header.s", "s1");
  }

  private static String text(Outcome o) {
    return o.results().get(0).toString();
  }

  @Test
  void alignedSpfPassPasses() {
    Outcome o = evaluate("example.org", spf("pass", "bounce@mail.example.org"), dkim("none", "x.test"));
    assertEquals("dmarc=pass (p=reject sp=reject dis=none) header.from=example.org", text(o));
    assertEquals(Disposition.ACCEPT, o.disposition());
  }

  @Test
  void alignedDkimPassPasses() {
    Outcome o = evaluate("news.example.org", spf("pass", "b@elsewhere.test"), dkim("pass", "example.org"));
    assertEquals("pass", o.results().get(0).result());
  }

  @Test
  void unalignedPassesFailAndRejectNamesThePolicyDomain() {
    Outcome o = evaluate("example.org", spf("pass", "b@spoofer.test"), dkim("pass", "spoofer.test"),
        dkim("fail", "example.org"));
    assertEquals("dmarc=fail (p=reject sp=reject dis=reject) header.from=example.org", text(o));
    assertEquals(Disposition.REJECT, o.disposition());
    assertEquals("Email rejected per DMARC policy for example.org", o.reason());
  }

  @Test
  void strictAlignmentWantsTheSameName() {
    Outcome relaxedWouldPass = evaluate("strict.example", spf("pass", "b@mail.strict.example"),
        dkim("pass", "sub.strict.example"));
    assertEquals("fail", relaxedWouldPass.results().get(0).result());
    assertEquals(Disposition.QUARANTINE, relaxedWouldPass.disposition());
    Outcome exact = evaluate("strict.example", dkim("pass", "strict.example"));
    assertEquals("pass", exact.results().get(0).result());
  }

  @Test
  void subdomainPolicyComesFromTheOrganisationalDomain() {
    // co.uk is a public suffix: parent.co.uk is the organisational domain of shop.parent.co.uk
    Outcome sub = evaluate("shop.parent.co.uk", spf("fail", "b@shop.parent.co.uk"));
    assertEquals("dmarc=fail (p=none sp=reject dis=reject) header.from=shop.parent.co.uk", text(sub));
    assertEquals(Disposition.REJECT, sub.disposition());
    assertEquals("Email rejected per DMARC policy for parent.co.uk", sub.reason());
    Outcome top = evaluate("parent.co.uk", spf("fail", "b@parent.co.uk"));
    assertEquals(Disposition.ACCEPT, top.disposition());
    assertEquals("fail", top.results().get(0).result());
  }

  @Test
  void relaxedAlignmentUsesThePublicSuffixList() {
    // two registrations under one public suffix are not aligned
    dns.zone("_dmarc.one.co.uk. 300 IN TXT \"v=DMARC1; p=reject\"");
    assertEquals("fail", evaluate("one.co.uk", dkim("pass", "two.co.uk")).results().get(0).result());
    assertEquals("pass", evaluate("one.co.uk", dkim("pass", "mail.one.co.uk")).results().get(0).result());
  }

  @Test
  void pctSamplesTheDispositionAndDowngradesTheRest() {
    percentile.set(29);
    assertEquals(Disposition.REJECT, evaluate("sample.example", spf("fail", "a@sample.example")).disposition());
    percentile.set(30);
    Outcome out = evaluate("sample.example", spf("fail", "a@sample.example"));
    assertEquals(Disposition.QUARANTINE, out.disposition());
    assertEquals("dmarc=fail (p=reject sp=reject dis=quarantine) header.from=sample.example", text(out));
  }

  @Test
  void actionsMapDispositions() {
    options.setRejectAction(DmarcOptions.Action.QUARANTINE);
    assertEquals(Disposition.QUARANTINE, evaluate("example.org", spf("fail", "a@example.org")).disposition());
    options.setRejectAction(DmarcOptions.Action.NONE);
    Outcome o = evaluate("example.org", spf("fail", "a@example.org"));
    assertEquals(Disposition.ACCEPT, o.disposition());
    assertEquals("fail", o.results().get(0).result());
  }

  @Test
  void noPolicyIsNoneAndSeveralRecordsAreNoPolicy() {
    assertEquals("dmarc=none (no policy) header.from=nopolicy.test", text(evaluate("nopolicy.test")));
    dns.zone("_dmarc.twice.test. 300 IN TXT \"v=DMARC1; p=reject\"", "_dmarc.twice.test. 300 IN TXT \"v=DMARC1; p=none\"");
    assertEquals("none", evaluate("twice.test").results().get(0).result());
    // p missing without rua: no record; with rua: p=none
    dns.zone("_dmarc.nop.test. 300 IN TXT \"v=DMARC1; sp=reject\"",
        "_dmarc.nopr.test. 300 IN TXT \"v=DMARC1; p=bogus; rua=mailto:a@nopr.test\"");
    assertEquals("none", evaluate("nop.test", spf("fail", "a@nop.test")).results().get(0).result());
    Outcome rua = evaluate("nopr.test", spf("fail", "a@nopr.test"));
    assertEquals("fail", rua.results().get(0).result());
    assertEquals(Disposition.ACCEPT, rua.disposition());
  }

  @Test
  void aRecordOfSeveralStringsIsReadJoinedNextToOtherTxtRecords() {
    // RFC 7489 section 6.6.3 and RFC 7208 section 3.3: each record's strings joined, records kept apart
    dns.zone("_dmarc.split.test. 300 IN TXT \"google-site-verification=abc\"",
        "_dmarc.split.test. 300 IN TXT \"v=DMARC1; \" \"p=reject\"",
        "_dmarc.split.test. 300 IN TXT \"p=none\"");
    Outcome o = evaluate("split.test", spf("fail", "a@split.test"));
    assertEquals("fail", o.results().get(0).result());
    assertEquals(Disposition.REJECT, o.disposition());
  }

  @Test
  void aDnsFailureIsATemperrorThatAccepts() {
    dns.mode("_dmarc.slow.test", TestDnsServer.Mode.SILENT);
    Outcome o = evaluate("slow.test", spf("fail", "a@slow.test"));
    assertEquals("temperror", o.results().get(0).result());
    assertEquals(Disposition.ACCEPT, o.disposition());
  }

  @Test
  void noSingleAuthorDomainIsAPermerrorThatAccepts() {
    Outcome o = evaluate(null);
    assertEquals("permerror", o.results().get(0).result());
    assertEquals(Disposition.ACCEPT, o.disposition());
  }

  @Test
  void quarantineFieldNamesTheAuthorDomain() {
    DmarcCheck check = new DmarcCheck(dns.lookups(vertx, Duration.ZERO), options, percentile::get);
    Outcome q = check.evaluate("strict.example", List.of()).await();
    assertEquals("X-Postino-Quarantine: DMARC policy of strict.example\r\n", check.quarantineField(q));
    assertNull(check.quarantineField(check.evaluate("nopolicy.test", List.of()).await()));
  }
}
