package io.postino.spf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.postino.authres.AuthResult;
import io.postino.dns.TestDnsServer;
import io.postino.smtp.MailAddress;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The identities a transaction is checked for, the results recorded, and the configured actions. */
class SpfCheckTest {

  private static Vertx vertx;
  private TestDnsServer dns;
  private SpfOptions options;

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
    options = new SpfOptions().setEnabled(true);
    dns.zone("mail.sender.test. 300 IN TXT \"v=spf1 a -all\"", "mail.sender.test. 300 IN A 192.0.2.25",
        "sender.test. 300 IN TXT \"v=spf1 ip4:192.0.2.0/28 ~all\"",
        "slow.test. 300 IN TXT \"v=spf1 -all\"");
    dns.mode("slow.test", TestDnsServer.Mode.SERVFAIL);
  }

  @AfterEach
  void stop() throws Exception {
    dns.close();
  }

  private SpfCheck.Verdict check(String ip, String helo, String sender) {
    SpfCheck check = new SpfCheck(vertx, new SpfEvaluator(dns.lookups(vertx, Duration.ZERO),
        "mx.receiver.test", Clock.systemUTC()), new SpfOptions(options));
    return check.check(ip, helo, sender.isEmpty() ? MailAddress.NULL_SENDER : MailAddress.parse(sender)).await();
  }

  private static List<String> texts(SpfCheck.Verdict v) {
    return v.results().stream().map(AuthResult::toString).toList();
  }

  @Test
  void bothIdentitiesAreRecorded() {
    SpfCheck.Verdict v = check("192.0.2.25", "mail.sender.test", "alice@sender.test");
    assertEquals(List.of("spf=pass (mail.sender.test: 192.0.2.25 is authorized by a) smtp.helo=mail.sender.test",
        "spf=softfail (sender.test: 192.0.2.25 is not authorized [softfail] by all) smtp.mailfrom=alice@sender.test"),
        texts(v));
    assertNull(v.refusal());
  }

  @Test
  void theNullSenderIsPostmasterAtTheHeloName() {
    SpfCheck.Verdict v = check("192.0.2.25", "mail.sender.test", "");
    assertEquals(List.of("smtp.helo", "smtp.mailfrom"), v.results().stream()
        .map(r -> r.properties().keySet().iterator().next()).toList());
    assertEquals("postmaster@mail.sender.test", v.results().get(1).property("smtp.mailfrom"));
    options.setHelo(false);
    SpfCheck.Verdict noHelo = check("192.0.2.25", "mail.sender.test", "");
    assertEquals(1, noHelo.results().size());
    assertEquals("pass", noHelo.results().get(0).result());
  }

  @Test
  void aHeloFailIsRefusedBeforeMailFromIsChecked() {
    SpfCheck.Verdict v = check("192.0.2.26", "mail.sender.test", "alice@sender.test");
    assertEquals("550 5.7.23 SPF fail for HELO mail.sender.test: mail.sender.test: 192.0.2.26 is not authorized"
        + " by all", v.refusal().encoded().strip());
    assertEquals(1, v.results().size());
    assertEquals(0, dns.count("sender.test", "TXT"));
  }

  @Test
  void addressLiteralsAndBareNamesHaveNoHeloResult() {
    assertEquals(1, check("192.0.2.1", "[192.0.2.1]", "alice@sender.test").results().size());
    assertEquals(1, check("192.0.2.1", "localhost", "alice@sender.test").results().size());
  }

  @Test
  void actionsAreConfigurablePerResult() {
    options.setAction(SpfResult.SOFTFAIL, SpfOptions.Action.REJECT);
    assertEquals("550 5.7.23", check("192.0.2.99", "[192.0.2.99]", "alice@sender.test").refusal().encoded()
        .substring(0, 10));
    // temperror: accepted by default, deferred when asked
    assertNull(check("192.0.2.99", "[192.0.2.99]", "alice@slow.test").refusal());
    options.setAction(SpfResult.TEMPERROR, SpfOptions.Action.DEFER);
    assertEquals("451 4.7.24", check("192.0.2.99", "[192.0.2.99]", "alice@slow.test").refusal().encoded()
        .substring(0, 10));
    options.setAction(SpfResult.FAIL, SpfOptions.Action.ACCEPT).setAction(SpfResult.SOFTFAIL, SpfOptions.Action.ACCEPT);
    assertNull(check("192.0.2.26", "mail.sender.test", "alice@sender.test").refusal());
  }
}
