package io.postino.alias;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.bus.RawMessage;
import io.postino.bus.SendReply;
import io.postino.testing.LogCapture;
import io.postino.testing.SmtpSink;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.TestServer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Aliases of messages the node makes itself, as Postfix's cleanup expands every message: one sent
 * on {@code postino.send} (code on the event bus) and a report to a local sender. Local copies land
 * in Maildirs, forwarded ones in a real SMTP server (SubEthaSMTP) to which every remote domain is
 * routed.
 */
class AliasesOfLocalMessagesTest {

  @TempDir
  Path dir;
  private SmtpSink sink;
  private TestServer server;

  @BeforeEach
  void setUp() {
    sink = new SmtpSink().start();
    server = new TestServer(dir);
    server.config.put("localUsers", new JsonObject()
        .put("local.example", new JsonArray().add("alice").add("bob")));
    server.dns().put("routes", new JsonObject().put("*", "127.0.0.1:" + sink.port()));
    server.queue().put("minBackoff", 0.2).put("maxBackoff", 0.4).put("scanInterval", 0.05);
  }

  @AfterEach
  void tearDown() {
    server.close();
    sink.close();
  }

  private String send(String from, List<String> to) {
    return server.vertx.eventBus().<JsonObject>request("postino.send",
            RawMessage.text(from, to, "Subject: from the bus\n\nhello\n").toJson())
        .map(reply -> SendReply.fromJson(reply.body()).queueId())
        .await();
  }

  private void sendOverSmtp(String from, String to) throws IOException {
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData(from, to), 354);
      c.send("Subject: test\r\n\r\nhello\r\n.\r\n");
      expect(c.read(), 250);
    }
  }

  /** The one message delivered to a mailbox, once it is there. */
  private String delivered(String domain, String user) throws IOException {
    Path newDir = dir.resolve("maildir").resolve(domain).resolve(user).resolve("new");
    TestServer.await("a message in " + newDir, () -> !TestServer.files(newDir).isEmpty());
    List<Path> files = TestServer.files(newDir);
    assertEquals(1, files.size(), files.toString());
    return Files.readString(files.get(0), StandardCharsets.UTF_8);
  }

  @Test
  void postinoSendToAnAliasReachesItsMailboxAndForwardsWithAnSrsSenderKeepingTheAliasAsOriginalRecipient()
      throws Exception {
    sink.refuse("carol@elsewhere.test", 550);
    server.config.put("aliases", new JsonObject()
        .put("info@local.example", new JsonArray().add("alice@local.example").add("bob@elsewhere.test"))
        .put("gone@local.example", "carol@elsewhere.test"));
    server.start();

    send("dave@sender.test", List.of("info@local.example", "gone@local.example"));

    String local = delivered("local.example", "alice");
    assertTrue(local.startsWith("Return-Path: <dave@sender.test>\r\nDelivered-To: alice@local.example\r\n"), local);
    assertFalse(Files.exists(dir.resolve("maildir/local.example/info")), "no mailbox for the alias");
    SmtpSink.Received first = sink.next();
    SmtpSink.Received second = sink.next();
    SmtpSink.Received forwarded = first.recipients().equals(List.of("bob@elsewhere.test")) ? first : second;
    SmtpSink.Received dsn = forwarded == first ? second : first;
    assertEquals(List.of("bob@elsewhere.test"), forwarded.recipients());
    assertTrue(forwarded.from().matches("SRS0=[A-Za-z0-9+/]{4}=[A-Z2-7]{2}=sender\\.test=dave@local\\.example"),
        forwarded.from());
    assertTrue(new String(forwarded.data(), StandardCharsets.UTF_8).contains("Subject: from the bus"));
    // the copy elsewhere.test refused is reported to the sender under the address it gave
    assertEquals(List.of("dave@sender.test"), dsn.recipients());
    String report = new String(dsn.data(), StandardCharsets.UTF_8);
    assertTrue(report.contains("Original-Recipient: rfc822; gone@local.example"), report);
    assertTrue(report.contains("Final-Recipient: rfc822; carol@elsewhere.test"), report);
  }

  @Test
  void postinoSendToAnUnknownUserOrAnAliasLoopIsRefusedNamingEachAndSpoolsNothing() {
    server.config.put("aliases", new JsonObject()
        .put("loop1@local.example", "loop2@local.example")
        .put("loop2@local.example", "loop1@local.example"));
    server.start();

    ReplyException e = assertThrows(ReplyException.class, () -> send("app@sender.test",
        List.of("alice@local.example", "nobody@local.example", "loop1@local.example")));

    assertEquals(SendReply.BAD_REQUEST, e.failureCode());
    assertTrue(e.getMessage().contains("<nobody@local.example>: 550 5.1.1 "), e.getMessage());
    assertTrue(e.getMessage().contains("<loop1@local.example>: 550 "), e.getMessage());
    assertFalse(e.getMessage().contains("<alice@local.example>"), e.getMessage());
    assertTrue(server.spooled().isEmpty(), server.spooled().toString());
  }

  @Test
  void aReportToALocalSenderThatIsAnAliasReachesTheAliasesMailbox() throws Exception {
    sink.refuse("x@elsewhere.test", 550);
    server.config.put("aliases", new JsonObject().put("sales@local.example", "bob@local.example"));
    server.start();

    sendOverSmtp("sales@local.example", "x@elsewhere.test");

    String report = delivered("local.example", "bob");
    assertTrue(report.startsWith("Return-Path: <>\r\nDelivered-To: bob@local.example\r\n"), report);
    assertTrue(report.contains("Final-Recipient: rfc822; x@elsewhere.test"), report);
    assertFalse(Files.exists(dir.resolve("maildir/local.example/sales")), "no mailbox for the alias");
  }

  @Test
  void aReportToALocalSenderWithoutAMailboxIsDroppedWithALogLine() throws Exception {
    sink.refuse("x@elsewhere.test", 550);
    server.start();

    try (LogCapture log = new LogCapture()) {
      sendOverSmtp("nobody@local.example", "x@elsewhere.test");
      log.await(".*: failed report about \\w+ dropped: recipients refused: <nobody@local\\.example>: 550 5\\.1\\.1 .*");
    }
    assertFalse(Files.exists(dir.resolve("maildir/local.example/nobody")), "no stray mailbox");
  }
}
