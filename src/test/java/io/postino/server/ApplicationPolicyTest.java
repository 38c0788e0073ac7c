package io.postino.server;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.bus.PolicyRequest;
import io.postino.bus.PolicyVerdict;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.SmtpTestClient.Reply;
import io.postino.testing.TestServer;
import io.postino.testing.WithTestServer;
import io.vertx.core.json.JsonObject;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Applications deciding over the event bus: a consumer on postino.policy.rcpt refuses some
 * recipients, one on postino.policy.data reads the spooled message and refuses spam. These are the
 * README's policy examples.
 */
class ApplicationPolicyTest extends WithTestServer {

  private void start() {
    server.start();
    // --- example: a recipient policy (README, "postino.policy.rcpt") ---
    server.vertx.eventBus().<JsonObject>consumer("postino.policy.rcpt", msg -> {
      PolicyRequest request = PolicyRequest.fromJson(msg.body());
      boolean blocked = request.recipients().get(0).startsWith("blocked@");
      msg.reply((blocked ? PolicyVerdict.refuse(550, "5.7.1", "this mailbox takes no mail") : PolicyVerdict.ACCEPT)
          .toJson());
    }).completion().await();
  }

  @Test
  void aRecipientPolicyRefusesSomeRecipientsInPipelinedOrder() throws Exception {
    start();
    try (SmtpTestClient c = server.connect()) {
      c.send("EHLO client.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<bob@local.example>\r\n"
          + "RCPT TO:<blocked@local.example>\r\nRCPT TO:<carol@local.example>\r\nDATA\r\n");
      expect(c.read(), 250);
      expect(c.read(), 250);
      expect(c.read(), 250);
      Reply refused = expect(c.read(), 550);
      assertEquals("550 5.7.1 this mailbox takes no mail", refused.text());
      expect(c.read(), 250);
      expect(c.read(), 354);
      c.send("Subject: hi\r\n\r\nhello\r\n.\r\n");
      expect(c.read(), 250);
    }
    assertEquals(2, server.nextInbound().getJsonArray("mailboxes").size());
  }

  @Test
  void aDataPolicyReadsTheMessageAndRefusesIt() throws Exception {
    start();
    // --- example: a content policy (README, "postino.policy.data") ---
    server.vertx.eventBus().<JsonObject>consumer("postino.policy.data", msg -> {
      PolicyRequest request = PolicyRequest.fromJson(msg.body());
      // reading a file blocks: do it on a worker, then answer
      server.vertx.executeBlocking(() -> {
        try (RandomAccessFile f = new RandomAccessFile(request.path(), "r")) {
          byte[] content = new byte[(int) Math.min(request.size(), 64 * 1024)];
          f.seek(request.contentOffset());
          f.readFully(content);
          return new String(content, StandardCharsets.UTF_8).contains("Subject: buy now");
        }
      }).onSuccess(spam -> msg.reply((spam ? PolicyVerdict.refuse(554, "5.7.1", "looks like spam")
          : PolicyVerdict.ACCEPT).toJson()));
    }).completion().await();

    try (SmtpTestClient c = server.connect()) {
      expect(c.startData("a@b.example", "bob@local.example"), 354);
      c.send("Subject: buy now\r\n\r\ncheap\r\n.\r\n");
      assertEquals("554 5.7.1 looks like spam", expect(c.read(), 554).text());
      expect(c.command("MAIL FROM:<a@b.example>"), 250);
      expect(c.command("RCPT TO:<bob@local.example>"), 250);
      expect(c.command("DATA"), 354);
      c.send("Subject: minutes\r\n\r\nof the meeting\r\n.\r\n");
      expect(c.read(), 250);
    }
    assertTrue(server.nextInbound().getString("queueId") != null);
    assertNull(server.pollInbound(200));
    TestServer.await("spool emptied", () -> server.spooled().isEmpty());
  }

  @Test
  void aSilentPolicyConsumerMeansTheConfiguredDefault() throws Exception {
    server.config.put("policy", new JsonObject().put("timeout", 0.2).put("onFailure", "tempfail"));
    server.start();
    server.vertx.eventBus().<JsonObject>consumer("postino.policy.rcpt", msg -> {
      // never answers
    }).completion().await();
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<a@b.example>"), 250);
      Reply r = expect(c.command("RCPT TO:<bob@local.example>"), 451);
      assertEquals("4.3.0", r.enhanced());
    }
  }

  @Test
  void theHooksCanBeTurnedOff() throws Exception {
    server.config.put("policy", new JsonObject().put("enabled", false));
    start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<a@b.example>"), 250);
      expect(c.command("RCPT TO:<blocked@local.example>"), 250);
    }
  }

  @Test
  void aQuestionNobodyAnsweredIsNotAskedAgainUntilTheRecheck() throws Exception {
    server.config.put("policy", new JsonObject().put("absenceRecheck", 3600));
    server.start();
    Map<String, AtomicInteger> asked = countRequests();
    for (int i = 0; i < 2; i++) {
      sendMessage("bob@local.example", "carol@local.example");
      server.nextInbound();
    }
    // one question each (RCPT, then DATA), answered by nobody: the rest were decided alone
    assertEquals(1, asked.get("postino.policy.rcpt").get());
    assertEquals(1, asked.get("postino.policy.data").get());
  }

  @Test
  void aConsumerRegisteredAfterNobodyAnsweredIsAskedOnceTheRecheckIsDue() throws Exception {
    server.config.put("policy", new JsonObject().put("absenceRecheck", 0.05));
    server.start();
    Map<String, AtomicInteger> asked = countRequests();
    sendMessage("bob@local.example");
    server.nextInbound();
    server.vertx.eventBus().<JsonObject>consumer("postino.policy.rcpt",
        msg -> msg.reply(PolicyVerdict.refuse(550, "5.7.1", "closed").toJson())).completion().await();
    // within the recheck the server may still decide alone; after it, the consumer is asked
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      Reply rcpt;
      do {
        expect(c.command("RSET"), 250);
        expect(c.command("MAIL FROM:<a@b.example>"), 250);
        rcpt = c.command("RCPT TO:<bob@local.example>");
      } while (rcpt.code() == 250);
      assertEquals("550 5.7.1 closed", rcpt.text());
    }
    assertEquals(2, asked.get("postino.policy.rcpt").get());
  }

  @Test
  void recipientsDecidedAtOnceAreAnsweredInOneDriveNotOneNestedPerCommand() throws Exception {
    int recipients = 50_000;
    server.config.put("policy", new JsonObject().put("absenceRecheck", 3600));
    server.smtp().put("maxRecipients", recipients);
    server.start();
    sendMessage("bob@local.example");
    server.nextInbound();
    // every RCPT's question is now answered at once (nobody listens): pipelined, each in turn; one
    // address again and again (a duplicate is kept once), so that only the depth of the drive grows
    StringBuilder pipeline = new StringBuilder("EHLO client.example\r\nMAIL FROM:<a@b.example>\r\n");
    for (int i = 0; i < recipients; i++) {
      pipeline.append("RCPT TO:<bob@local.example>\r\n");
    }
    try (SmtpTestClient c = server.connect()) {
      c.send(pipeline.append("RSET\r\n").toString());
      expect(c.read(), 250);
      expect(c.read(), 250);
      for (int i = 0; i < recipients; i++) {
        expect(c.read(), 250);
      }
      expect(c.read(), 250);
    }
  }

  /** Counts the requests the server sends to the two policy addresses. */
  private Map<String, AtomicInteger> countRequests() {
    Map<String, AtomicInteger> asked = new ConcurrentHashMap<>(Map.of(
        "postino.policy.rcpt", new AtomicInteger(), "postino.policy.data", new AtomicInteger()));
    server.vertx.eventBus().addOutboundInterceptor(delivery -> {
      AtomicInteger count = asked.get(delivery.message().address());
      if (count != null) {
        count.incrementAndGet();
      }
      delivery.next();
    });
    return asked;
  }

  private void sendMessage(String... recipients) throws Exception {
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<a@b.example>"), 250);
      for (String rcpt : recipients) {
        expect(c.command("RCPT TO:<" + rcpt + ">"), 250);
      }
      expect(c.command("DATA"), 354);
      c.send("Subject: hi\r\n\r\nhello\r\n.\r\n");
      expect(c.read(), 250);
    }
  }
}
