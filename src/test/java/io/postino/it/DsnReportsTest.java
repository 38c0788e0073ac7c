package io.postino.it;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.Dsn;
import io.postino.testing.ScriptedServer;
import io.postino.testing.SmtpSink;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delivery status notifications for every NOTIFY request (RFC 3461), end to end over real
 * sockets: a client sends with DSN parameters, recipients are delivered to Maildir here, relayed to
 * a real server that does not offer DSN (SubEthaSMTP, {@code plain.test}), or relayed to a scripted
 * server that does ({@code dsn.test}, whose MAIL and RCPT lines are checked); the reports reach the
 * sender's local mailbox and are parsed with Mime4j. Every wait is for an event or for the spool to
 * be empty: a report is spooled before the message it is about leaves the spool, so once the spool
 * is empty every report is in the mailbox.
 */
class DsnReportsTest {

  @TempDir
  Path dir;
  private SmtpSink sink;
  private ScriptedServer dsnPeer;
  private TestServer server;

  @BeforeEach
  void setUp() throws IOException {
    sink = new SmtpSink().start();
    dsnPeer = new ScriptedServer(DsnReportsTest::dsnHost);
    server = new TestServer(dir);
    server.dns().put("routes", new JsonObject()
        .put("plain.test", "127.0.0.1:" + sink.port())
        .put("dsn.test", "127.0.0.1:" + dsnPeer.port()));
    server.queue().put("minBackoff", 0.05).put("maxBackoff", 0.05).put("scanInterval", 0.05);
    // one message per connection: the scripted host sees each transaction on its own
    server.config.put("delivery", new JsonObject().put("maxMessagesPerConnection", 1).put("commandTimeout", 5)
        .put("dataTimeout", 5));
  }

  @AfterEach
  void tearDown() throws IOException {
    server.close();
    dsnPeer.close();
    sink.close();
  }

  /** A host that offers DSN and takes every message. */
  private static void dsnHost(ScriptedServer.Peer p) throws IOException {
    p.send("220 dsn.test ESMTP\r\n");
    p.expect("EHLO");
    p.send("250-dsn.test\r\n250-ENHANCEDSTATUSCODES\r\n250 DSN\r\n");
    String line;
    while ((line = p.line()) != null) {
      String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line;
      switch (verb) {
        case "DATA" -> {
          p.send("354 go ahead\r\n");
          p.data();
          p.send("250 2.0.0 Ok: queued as D1\r\n");
        }
        case "QUIT" -> {
          p.send("221 2.0.0 Bye\r\n");
          return;
        }
        default -> p.send("250 2.0.0 Ok\r\n");
      }
    }
  }

  /** Sends one message with the given MAIL parameters and RCPT lines; returns its queue id. */
  private String send(String mailParameters, String... rcpts) throws IOException {
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<alice@local.example>" + mailParameters), 250);
      for (String rcpt : rcpts) {
        expect(c.command("RCPT TO:" + rcpt), 250);
      }
      expect(c.command("DATA"), 354);
      c.send("Subject: dsn test\r\nMessage-ID: <t1@local.example>\r\n\r\nthe body of the message\r\n.\r\n");
      String text = expect(c.read(), 250).text();
      return text.substring(text.indexOf("queued as ") + 10).trim();
    }
  }

  /** Every report in alice's mailbox once nothing is left in the spool, in delivery order. */
  private List<Dsn> reportsWhenDone() {
    TestServer.await("spool empty", () -> server.spooled().isEmpty());
    List<Dsn> reports = new ArrayList<>();
    for (Path file : server.mailbox("local.example", "alice")) {
      try {
        reports.add(Dsn.parse(Files.readAllBytes(file)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return reports;
  }

  /** Waits for a recipient's delivered event, past the deferrals of rounds already under way. */
  private void awaitDelivered(String recipient) {
    while (!"delivered".equals(server.nextEventFor(recipient).getString("event"))) {
      // a round that began before the destination took the recipient again
    }
  }

  private static Dsn only(List<Dsn> reports) {
    assertEquals(1, reports.size(), "reports: " + reports.stream().map(r -> r.message.getSubject()).toList());
    return reports.get(0);
  }

  private static Map<String, Map<String, String>> byRecipient(Dsn dsn) {
    return dsn.perRecipient.stream().collect(Collectors.toMap(r -> r.get("Final-Recipient"), r -> r));
  }

  // ------------------------------------------------------------------ success

  @Test
  void aLocalDeliveryAskedForIsReportedDeliveredWithTheSendersReferences() throws Exception {
    server.start();

    send(" RET=FULL ENVID=env+2B1", "<carol@local.example> NOTIFY=SUCCESS ORCPT=rfc822;carol+2Bx@local.example");

    Dsn dsn = only(reportsWhenDone());
    assertEquals("Successful Mail Delivery Report", dsn.message.getSubject());
    assertEquals("multipart/report", dsn.message.getMimeType());
    assertEquals("env+1", dsn.perMessage.get("Original-Envelope-Id"));
    Map<String, String> carol = dsn.perRecipient.get(0);
    assertEquals("rfc822; carol@local.example", carol.get("Final-Recipient"));
    assertEquals("rfc822; carol+x@local.example", carol.get("Original-Recipient"));
    assertEquals("delivered", carol.get("Action"));
    assertEquals("2.0.0", carol.get("Status"));
    assertTrue(dsn.human.contains("<carol@local.example>: delivered to mailbox"), dsn.human);
    // RET=FULL asks for the message in failure reports only (RFC 3461 section 4.3)
    assertEquals("text/rfc822-headers", dsn.parts.get(2).getMimeType());
    assertTrue(dsn.returned.contains("Message-ID: <t1@local.example>"), dsn.returned);
    assertFalse(dsn.returned.contains("the body of the message"), dsn.returned);
    assertEquals(1, server.mailbox("local.example", "carol").size());
  }

  @Test
  void aRelayToAHostWithoutDsnIsReportedRelayed() throws Exception {
    server.start();

    send(" ENVID=e2", "<bob@plain.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@plain.test");

    Dsn dsn = only(reportsWhenDone());
    assertEquals("Successful Mail Delivery Report", dsn.message.getSubject());
    assertEquals("e2", dsn.perMessage.get("Original-Envelope-Id"));
    Map<String, String> bob = dsn.perRecipient.get(0);
    assertEquals("relayed", bob.get("Action"));
    assertEquals("rfc822; bob@plain.test", bob.get("Original-Recipient"));
    assertTrue(bob.get("Diagnostic-Code").startsWith("smtp; 250"), bob.get("Diagnostic-Code"));
    assertTrue(bob.containsKey("Remote-MTA"), bob.toString());
    assertEquals(List.of("bob@plain.test"), sink.next().recipients());
  }

  @Test
  void aHostOfferingDsnGetsTheRequestAndReportsItselfSoNothingComesFromHere() throws Exception {
    server.start();

    send(" RET=HDRS ENVID=e+2B3", "<bob@dsn.test> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;bob+2Bo@dsn.test",
        "<carl@dsn.test>");

    assertEquals(List.of(), reportsWhenDone());
    dsnPeer.assertNoErrors();
    List<String> lines = dsnPeer.lines();
    assertTrue(lines.contains("MAIL FROM:<alice@local.example> RET=HDRS ENVID=e+2B3"), lines.toString());
    assertTrue(lines.contains("RCPT TO:<bob@dsn.test> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;bob+2Bo@dsn.test"),
        lines.toString());
    assertTrue(lines.contains("RCPT TO:<carl@dsn.test>"), lines.toString());
  }

  @Test
  void recipientsFinishingTogetherShareOneReportAndOnlyThoseWhoAskedAreInIt() throws Exception {
    server.start();

    send("", "<carol@local.example> NOTIFY=SUCCESS", "<bob@plain.test> NOTIFY=SUCCESS,FAILURE",
        "<dave@dsn.test> NOTIFY=SUCCESS", "<erin@local.example>", "<frank@plain.test> NOTIFY=FAILURE",
        "<gina@local.example> NOTIFY=NEVER");

    Dsn dsn = only(reportsWhenDone());
    Map<String, Map<String, String>> rcpts = byRecipient(dsn);
    assertEquals(2, rcpts.size(), rcpts.toString());
    assertEquals("delivered", rcpts.get("rfc822; carol@local.example").get("Action"));
    assertEquals("relayed", rcpts.get("rfc822; bob@plain.test").get("Action"));
    assertFalse(rcpts.get("rfc822; carol@local.example").containsKey("Original-Recipient"));
    assertFalse(dsn.perMessage.containsKey("Original-Envelope-Id"));
    assertTrue(dsn.human.contains("<carol@local.example>") && dsn.human.contains("<bob@plain.test>"), dsn.human);
  }

  @Test
  void aSuccessIsReportedOnceAcrossRoundsAndARestart() throws Exception {
    sink.refuse("bob@plain.test", 451);
    server.start();

    send("", "<carol@local.example> NOTIFY=SUCCESS", "<bob@plain.test> NOTIFY=NEVER");
    assertEquals("delivered", server.nextEventFor("carol@local.example").getString("event"));
    assertEquals("deferred", server.nextEventFor("bob@plain.test").getString("event"));
    assertEquals("deferred", server.nextEventFor("bob@plain.test").getString("event"));
    server.close();
    server.start();
    assertEquals("deferred", server.nextEventFor("bob@plain.test").getString("event"));
    sink.accept("bob@plain.test");
    awaitDelivered("bob@plain.test");

    Dsn dsn = only(reportsWhenDone());
    assertEquals("delivered", dsn.perRecipient.get(0).get("Action"));
    assertEquals("rfc822; carol@local.example", dsn.perRecipient.get(0).get("Final-Recipient"));
  }

  @Test
  void aSuccessRecordedButNotYetReportedWhenTheServerStoppedIsReportedAtTheNextStart() throws Exception {
    sink.refuse("bob@plain.test", 451);
    server.start();

    String id = send("", "<carol@local.example> NOTIFY=SUCCESS", "<bob@plain.test> NOTIFY=NEVER");
    assertEquals("deferred", server.nextEventFor("bob@plain.test").getString("event"));
    TestServer.await("the report", () -> server.mailbox("local.example", "alice").size() == 1);
    server.close();
    // as if the process had died after carol's result was recorded and before her report was
    // spooled: the result is in the status file, the report nowhere
    Path status = dir.resolve("spool").resolve("status").resolve(id);
    List<String> kept = Files.readAllLines(status).stream().filter(l -> !l.contains("successReported")).toList();
    assertTrue(kept.size() < Files.readAllLines(status).size(), "the report was recorded");
    Files.write(status, kept);
    Files.delete(server.mailbox("local.example", "alice").get(0));
    sink.accept("bob@plain.test");
    server.start();
    awaitDelivered("bob@plain.test");

    Dsn dsn = only(reportsWhenDone());
    assertEquals("rfc822; carol@local.example", dsn.perRecipient.get(0).get("Final-Recipient"));
    assertEquals("delivered", dsn.perRecipient.get(0).get("Action"));
    assertEquals(1, server.mailbox("local.example", "carol").size(), "carol's delivery is not repeated");
  }

  @Test
  void withoutSuccessInTheListNoSuccessReport() throws Exception {
    server.start();

    send("", "<carol@local.example>", "<dora@local.example> NOTIFY=FAILURE,DELAY", "<bob@plain.test>",
        "<eve@plain.test> NOTIFY=NEVER");

    assertEquals(List.of(), reportsWhenDone());
    assertEquals(1, server.mailbox("local.example", "dora").size());
  }

  // ------------------------------------------------------------------ failure

  @Test
  void aFailureIsReportedUnlessTheListLeavesFailureOut() throws Exception {
    sink.refuse("bob@plain.test", 550).refuse("bea@plain.test", 550).refuse("ben@plain.test", 550)
        .refuse("bo@plain.test", 550);
    server.start();

    send(" RET=FULL ENVID=f1", "<bob@plain.test> NOTIFY=SUCCESS", "<bea@plain.test> NOTIFY=NEVER",
        "<ben@plain.test> NOTIFY=FAILURE,SUCCESS ORCPT=rfc822;ben@plain.test", "<bo@plain.test>");

    Dsn dsn = only(reportsWhenDone());
    assertEquals("Undelivered Mail Returned to Sender", dsn.message.getSubject());
    assertEquals("f1", dsn.perMessage.get("Original-Envelope-Id"));
    Map<String, Map<String, String>> rcpts = byRecipient(dsn);
    assertEquals(List.of("rfc822; ben@plain.test", "rfc822; bo@plain.test"),
        rcpts.keySet().stream().sorted().toList());
    assertEquals("failed", rcpts.get("rfc822; ben@plain.test").get("Action"));
    assertEquals("rfc822; ben@plain.test", rcpts.get("rfc822; ben@plain.test").get("Original-Recipient"));
    // RET=FULL: the whole message comes back with a failure
    assertEquals("message/rfc822", dsn.parts.get(2).getMimeType());
    assertTrue(dsn.returned.contains("the body of the message"), dsn.returned);
  }

  @Test
  void retHeadersReturnsOnlyTheHeadersOfAFailedMessage() throws Exception {
    sink.refuse("bob@plain.test", 550);
    server.start();

    send(" RET=HDRS", "<bob@plain.test> NOTIFY=FAILURE");

    Dsn dsn = only(reportsWhenDone());
    assertEquals("text/rfc822-headers", dsn.parts.get(2).getMimeType());
    assertTrue(dsn.returned.contains("Subject: dsn test"), dsn.returned);
    assertFalse(dsn.returned.contains("the body of the message"), dsn.returned);
  }

  // ------------------------------------------------------------------ delay

  @Test
  void aDelayWarningGoesOnceToThoseWhoAskedThenTheSuccessThatWasAskedFor() throws Exception {
    sink.refuse("bob@plain.test", 451).refuse("bea@plain.test", 451).refuse("ben@plain.test", 451)
        .refuse("bo@plain.test", 451);
    server.queue().put("delayWarning", 0.001);
    server.start();

    send(" RET=FULL ENVID=d1", "<bob@plain.test> NOTIFY=DELAY,SUCCESS ORCPT=rfc822;bob@plain.test",
        "<bea@plain.test>", "<ben@plain.test> NOTIFY=NEVER", "<bo@plain.test> NOTIFY=FAILURE");
    for (int round = 0; round < 3; round++) {
      assertEquals("deferred", server.nextEventFor("bob@plain.test").getString("event"));
    }
    sink.accept("bob@plain.test").accept("bea@plain.test").accept("ben@plain.test").accept("bo@plain.test");

    List<Dsn> reports = reportsWhenDone();
    assertEquals(List.of("Delayed Mail (still being retried)", "Successful Mail Delivery Report"),
        reports.stream().map(r -> r.message.getSubject()).sorted().toList());
    Dsn warning = reports.stream().filter(r -> r.message.getSubject().startsWith("Delayed")).findFirst().get();
    assertEquals("d1", warning.perMessage.get("Original-Envelope-Id"));
    Map<String, String> bob = warning.perRecipient.get(0);
    assertEquals(1, warning.perRecipient.size(), warning.perRecipient.toString());
    assertEquals("rfc822; bob@plain.test", bob.get("Final-Recipient"));
    assertEquals("rfc822; bob@plain.test", bob.get("Original-Recipient"));
    assertEquals("delayed", bob.get("Action"));
    assertTrue(bob.get("Status").startsWith("4."), bob.toString());
    assertTrue(bob.containsKey("Will-Retry-Until"), bob.toString());
    assertEquals("text/rfc822-headers", warning.parts.get(2).getMimeType());
    Dsn success = reports.stream().filter(r -> r.message.getSubject().startsWith("Successful")).findFirst().get();
    assertEquals("relayed", success.perRecipient.get(0).get("Action"));
    assertEquals(1, success.perRecipient.size());
  }

  @Test
  void withoutNotifyADelayWarningOnlyWhenTurnedOnAndNeverForNever() throws Exception {
    sink.refuse("bob@plain.test", 451).refuse("ben@plain.test", 451);
    server.queue().put("delayWarning", 0.001).put("delayWarningWithoutNotify", true);
    server.start();

    send("", "<bob@plain.test>", "<ben@plain.test> NOTIFY=NEVER");
    assertEquals("deferred", server.nextEventFor("bob@plain.test").getString("event"));
    assertEquals("deferred", server.nextEventFor("bob@plain.test").getString("event"));
    sink.accept("bob@plain.test").accept("ben@plain.test");

    Dsn warning = only(reportsWhenDone());
    assertEquals("delayed", warning.perRecipient.get(0).get("Action"));
    assertEquals(List.of("rfc822; bob@plain.test"), List.copyOf(byRecipient(warning).keySet()));
  }

  @Test
  void aDelayWarningIsNotSentAgainAfterARestart() throws Exception {
    sink.refuse("bob@plain.test", 451);
    server.queue().put("delayWarning", 0.001);
    server.start();

    send("", "<bob@plain.test> NOTIFY=DELAY");
    assertEquals("deferred", server.nextEventFor("bob@plain.test").getString("event"));
    TestServer.await("the warning", () -> server.mailbox("local.example", "alice").size() == 1);
    server.close();
    server.start();
    assertEquals("deferred", server.nextEventFor("bob@plain.test").getString("event"));
    assertEquals("deferred", server.nextEventFor("bob@plain.test").getString("event"));
    sink.accept("bob@plain.test");
    awaitDelivered("bob@plain.test");

    assertEquals("delayed", only(reportsWhenDone()).perRecipient.get(0).get("Action"));
  }
}
