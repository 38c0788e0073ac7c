package io.postino.it;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.postino.bus.RawMessage;
import io.postino.bus.SendReply;
import io.postino.dns.TestDnsServer;
import io.postino.testing.LogCapture;
import io.postino.testing.SmtpSink;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.TestServer;
import io.postino.testing.WithTestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's log, line by line, as real sessions and deliveries write it (README, "Logs"):
 * Postfix's forms, greppable by queue id, with every refusal and the reason of every deferral.
 */
class LogLinesTest extends WithTestServer {

  /** delay=T, delays=a/b/c/d: seconds, as DeliveryLog writes them. */
  private static final String SECONDS = "\\d+(\\.\\d{1,2})?";
  private static final String DELAYS = "delay=" + SECONDS + ", delays=" + SECONDS + "/" + SECONDS + "/" + SECONDS + "/"
      + SECONDS;

  private LogCapture log;

  @BeforeEach
  void setUp() {
    log = new LogCapture();
  }

  @AfterEach
  void tearDown() {
    log.close();
  }

  private static String queueIdOf(SmtpTestClient.Reply queued) {
    String text = queued.text();
    return text.substring(text.indexOf("queued as ") + 10).trim();
  }

  @Test
  void aRefusedRelayIsLoggedWithItsReplyAndClientAndTheDisconnectCountsCommands() throws Exception {
    server.untrusted().start();
    int port;
    try (SmtpTestClient c = server.connect()) {
      port = c.localPort();
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<alice@sender.example>"), 250);
      expect(c.command("RCPT TO:<bob@remote.example>"), 554);
      expect(c.command("RCPT TO:<carol@local.example>"), 250);
      expect(c.command("QUIT"), 221);
    }
    String client = Pattern.quote("unknown[127.0.0.1]:" + port);
    log.await("connect from " + client + "$");
    log.await("NOQUEUE: reject: RCPT from " + client + ": 554 5\\.7\\.1 <bob@remote\\.example>: Relay access denied; "
        + "from=<alice@sender\\.example> to=<bob@remote\\.example> proto=ESMTP helo=<client\\.example>$");
    log.await("disconnect from " + client + " ehlo=1 mail=1 rcpt=1/2 quit=1 commands=4/5$");
  }

  @Test
  void anUnknownCommandTooManyErrorsAndALostConnectionAreLogged() throws Exception {
    server.smtp().put("maxErrors", 2);
    server.start();
    int port;
    try (SmtpTestClient c = server.connect()) {
      port = c.localPort();
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("FROB"), 500);
      expect(c.command("RCPT TO:<x@local.example>"), 503);
      expect(c.read(), 421);
    }
    String client = Pattern.quote("unknown[127.0.0.1]:" + port);
    log.await("NOQUEUE: reject: UNKNOWN from " + client + ": 500 5\\.5\\.2 ");
    log.await("NOQUEUE: reject: RCPT from " + client + ": 503 5\\.5\\.1 .*; to=<x@local\\.example> proto=ESMTP");
    log.await("too many errors after RCPT from " + client + "$");
    log.await("disconnect from " + client + " ehlo=1 rcpt=0/1 unknown=0/1 commands=1/3$");

    try (SmtpTestClient c = server.connect()) {
      port = c.localPort();
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<a@sender.example>"), 250);
    }
    log.await("lost connection after MAIL from " + Pattern.quote("unknown[127.0.0.1]:" + port) + "$");
  }

  @Test
  void aMessageTooBigIsLoggedWithItsQueueIdAndAnEarlyTalkerAtConnect() throws Exception {
    server.smtp().put("maxMessageSize", 100).put("greetingDelay", 30);
    server.start();
    int port;
    try (SmtpTestClient c = new SmtpTestClient(server.port())) {
      port = c.localPort();
      c.send("EHLO early.example\r\n");
      expect(c.read(), 554);
    }
    log.await("NOQUEUE: reject: CONNECT from " + Pattern.quote("unknown[127.0.0.1]:" + port) + ": 554 5\\.5\\.1 .*; proto=SMTP$");

    server.close();
    server = new TestServer(dir.resolve("2"));
    server.smtp().put("maxMessageSize", 100);
    server.start();
    try (SmtpTestClient c = server.connect()) {
      port = c.localPort();
      expect(c.startData("alice@sender.example", "bob@local.example"), 354);
      c.send("Subject: big\r\n\r\n" + "x".repeat(200) + "\r\n.\r\n");
      expect(c.read(), 552);
    }
    log.await("\\w+: reject: END-OF-MESSAGE from " + Pattern.quote("unknown[127.0.0.1]:" + port) + ": 552 5\\.3\\.4 .*; "
        + "from=<alice@sender\\.example> to=<bob@local\\.example> proto=ESMTP helo=<client\\.example>$");
  }

  @Test
  void aTimeoutIsLoggedWithTheCommandItCameAfter() throws Exception {
    server.smtp().put("idleTimeout", 0.3);
    server.start();
    int port;
    try (SmtpTestClient c = server.connect()) {
      port = c.localPort();
      expect(c.command("EHLO client.example"), 250);
      expect(c.read(), 421);
    }
    String client = Pattern.quote("unknown[127.0.0.1]:" + port);
    log.await("timeout after EHLO from " + client + ": 421 4\\.4\\.2 ");
    log.await("disconnect from " + client + " ehlo=1 commands=1$");
  }

  @Test
  void queueOperationsAreLogged() throws Exception {
    // the test server's route for every domain is 127.0.0.1:1, where nothing listens: deferred
    server.start();
    String queueId;
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData("alice@local.example", "bob@nowhere.test"), 354);
      c.send("Subject: out\r\n\r\nhello\r\n.\r\n");
      queueId = queueIdOf(expect(c.read(), 250));
    }
    String id = Pattern.quote(queueId);
    log.await(id + ": 1 recipient\\(s\\) deferred, next attempt at ");
    assertTrue(server.postino.queue().hold(queueId).await());
    log.await(id + ": placed on hold$");
    assertTrue(server.postino.queue().release(queueId).await());
    log.await(id + ": released from hold$");
    // released: tried at once, and deferred again
    log.await("a second deferral", l -> l.startsWith(queueId + ": 1 recipient(s) deferred")
        && log.lines().stream().filter(x -> x.startsWith(queueId + ": 1 recipient(s) deferred")).count() == 2);
    assertTrue(server.postino.queue().delete(queueId).await());
    log.await(id + ": removed$");
    server.postino.queue().flush().await();
    log.await("flush: every deferred message is due now$");
  }

  @Test
  void anAcceptedMessageHasOneLineWithItsEnvelopeAndMessageIdAndItsLocalDeliveryAnother() throws Exception {
    server.start();
    String queueId;
    int port;
    try (SmtpTestClient c = server.connect()) {
      port = c.localPort();
      expect(c.startData("alice@sender.example", "bob@local.example", "carol@local.example"), 354);
      c.send("Message-ID:\r\n <m1.2@client.example>\r\nSubject: hi\r\n\r\nhello\r\n.\r\n");
      queueId = queueIdOf(expect(c.read(), 250));
      expect(c.command("QUIT"), 221);
    }
    String id = Pattern.quote(queueId);
    log.await(id + ": client=" + Pattern.quote("unknown[127.0.0.1]:" + port) + "$");
    String accepted = log.await(id + ": from=<alice@sender\\.example>, size=\\d+, nrcpt=2, message-id=<m1\\.2@client\\.example>, "
        + "proto=ESMTP, client=unknown\\[127\\.0\\.0\\.1\\], helo=<client\\.example>$");
    long size = Long.parseLong(accepted.replaceAll(".*size=(\\d+),.*", "$1"));
    assertTrue(size > "Message-ID:\r\n <m1.2@client.example>\r\nSubject: hi\r\n\r\nhello\r\n".length(),
        "the Received: header counts too: " + accepted);
    log.await(id + ": to=<bob@local\\.example>, relay=local, " + DELAYS + ", dsn=2\\.0\\.0, status=sent \\(delivered to mailbox\\)$");
    log.await(id + ": to=<carol@local\\.example>, relay=local, delay=" + SECONDS + ", delays=" + SECONDS + "/" + SECONDS
        + "/0/" + SECONDS + ", dsn=2\\.0\\.0, status=sent");
    log.await(id + ": removed$");
    log.await("disconnect from .* ehlo=1 mail=1 rcpt=2 data=1 quit=1 commands=6$");
  }

  @Test
  void aMessageFromTheEventBusHasItsAcceptLine() throws Exception {
    server.start();
    RawMessage message = RawMessage.text("app@example.org", List.of("bob@local.example"),
        "From: app@example.org\nMessage-ID: <app.7@example.org>\nSubject: Hello\n\nHi Bob\n");
    String queueId = server.vertx.eventBus().<JsonObject>request("postino.send", message.toJson())
        .map(reply -> SendReply.fromJson(reply.body()).queueId())
        .await();
    log.await(Pattern.quote(queueId) + ": from=<app@example\\.org>, size=\\d+, nrcpt=1, message-id=<app\\.7@example\\.org>, "
        + "proto=LOCAL, helo=<local>$");
  }

  @Test
  void anAuthFailureIsLoggedWithoutTheSecret() throws Exception {
    String password = "Tr0ub4dor&3-never-in-logs";
    server.untrusted().addUser("alice", "correct horse").start();
    String wrong = Base64.getEncoder().encodeToString(("\0alice\0" + password).getBytes(StandardCharsets.UTF_8));
    String right = Base64.getEncoder().encodeToString("\0alice\0correct horse".getBytes(StandardCharsets.UTF_8));
    int port;
    try (SmtpTestClient c = server.connect()) {
      port = c.localPort();
      c.startTls();
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("AUTH PLAIN " + wrong), 535);
      // the challenge form: the secret comes as a response line, not a command
      expect(c.command("AUTH PLAIN"), 334);
      expect(c.command(wrong), 535);
      expect(c.command("AUTH PLAIN " + right), 235);
      expect(c.command("QUIT"), 221);
    }
    String client = Pattern.quote("unknown[127.0.0.1]:" + port);
    log.await("TLS connection established from " + client + ": TLSv1\\.[23] with cipher ");
    log.await("NOQUEUE: reject: AUTH from " + client + ": 535 5\\.7\\.8 Error: authentication failed; sasl_method=PLAIN "
        + "proto=ESMTP helo=<client\\.example>$");
    log.await(client + ": sasl_method=PLAIN, sasl_username=alice$");
    log.await("disconnect from " + client + " ehlo=1 starttls=1 auth=1/3 quit=1 commands=4/6 tls=TLSv1\\.[23] user=alice$");
    assertEquals(2, log.lines().stream().filter(l -> l.startsWith("NOQUEUE: reject: AUTH")).count(), log.lines().toString());
    for (ILoggingEvent e : log.events()) {
      String all = e.getFormattedMessage() + " " + Arrays.toString(e.getArgumentArray())
          + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage());
      for (String secret : List.of(password, wrong, right, "correct horse")) {
        assertFalse(all.contains(secret), "a secret in the log: " + all);
      }
    }
  }

  @Test
  void remoteDeliveriesAreLoggedPerRecipientAsSentBouncedAndDeferredWithTheirReason() throws Exception {
    try (TestDnsServer dns = TestDnsServer.start(); SmtpSink sink = new SmtpSink().start()) {
      dns.zone("dest.test. 300 IN MX 10 mx.dest.test.", "mx.dest.test. 300 IN A 127.0.0.1");
      sink.refuse("nobody@dest.test", 550).refuse("later@dest.test", 451);
      server.config.put("dns", new JsonObject().put("servers", new JsonArray().add(dns.address()))
          .put("queryTimeout", 500).put("retries", 0).put("smtpPort", sink.port()));
      server.start();
      String queueId;
      try (SmtpTestClient c = server.connect()) {
        expect(c.startData("alice@local.example", "bob@dest.test", "nobody@dest.test", "later@dest.test"), 354);
        c.send("Subject: out\r\n\r\nhello\r\n.\r\n");
        queueId = queueIdOf(expect(c.read(), 250));
      }
      String id = Pattern.quote(queueId);
      String relay = "relay=mx\\.dest\\.test\\[127\\.0\\.0\\.1\\]:" + sink.port();
      log.await(id + ": to=<bob@dest\\.test>, " + relay + ", " + DELAYS + ", tls=opportunistic:plaintext, dsn=2\\.0\\.0, status=sent \\(250 ");
      log.await(id + ": to=<nobody@dest\\.test>, " + relay + ", " + DELAYS + ", tls=opportunistic:plaintext, dsn=5\\.\\d\\.\\d, status=bounced "
          + "\\(host mx\\.dest\\.test\\[127\\.0\\.0\\.1\\] said: 550 ");
      log.await(id + ": to=<later@dest\\.test>, " + relay + ", " + DELAYS + ", tls=opportunistic:plaintext, dsn=4\\.\\d\\.\\d, status=deferred "
          + "\\(host mx\\.dest\\.test\\[127\\.0\\.0\\.1\\] said: 451 ");
      String notice = log.await(id + ": sender non-delivery notification: \\w+$");
      String dsnId = notice.replaceAll(".*notification: (\\w+)$", "$1");
      log.await(Pattern.quote(dsnId) + ": from=<>, size=\\d+, nrcpt=1, message-id=<" + Pattern.quote(dsnId)
          + "@mx\\.test\\.example>, proto=LOCAL");
      log.await(Pattern.quote(dsnId) + ": to=<alice@local\\.example>, relay=local, .*status=sent");
      log.await(id + ": 1 recipient\\(s\\) deferred, next attempt at ");
    }
  }

  @Test
  void aDelayNoticeIsLoggedWithTheIdOfTheNotice() throws Exception {
    server.queue().put("delayWarning", 0.001).put("delayWarningWithoutNotify", true);
    server.start();
    String queueId;
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData("alice@local.example", "bob@nowhere.test"), 354);
      c.send("Subject: out\r\n\r\nhello\r\n.\r\n");
      queueId = queueIdOf(expect(c.read(), 250));
    }
    String notice = log.await(Pattern.quote(queueId) + ": sender delay notification: \\w+$");
    String noticeId = notice.replaceAll(".*notification: (\\w+)$", "$1");
    log.await(Pattern.quote(noticeId) + ": to=<alice@local\\.example>, relay=local, .*status=sent");
  }

  @Test
  void aSuccessNoticeIsLoggedWithTheIdOfTheNotice() throws Exception {
    server.start();
    String queueId;
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<alice@local.example>"), 250);
      expect(c.command("RCPT TO:<carol@local.example> NOTIFY=SUCCESS"), 250);
      expect(c.command("DATA"), 354);
      c.send("Subject: in\r\n\r\nhello\r\n.\r\n");
      queueId = queueIdOf(expect(c.read(), 250));
    }
    String notice = log.await(Pattern.quote(queueId) + ": sender delivery status notification: \\w+$");
    String noticeId = notice.replaceAll(".*notification: (\\w+)$", "$1");
    log.await(Pattern.quote(noticeId) + ": to=<alice@local\\.example>, relay=local, .*status=sent");
  }

  @Test
  void aDeliveryWithNoHostToTalkToIsDeferredWithItsReasonInTheLog() throws Exception {
    // the test server's route for every domain is 127.0.0.1:1, where nothing listens
    server.start();
    String queueId;
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData("alice@local.example", "bob@nowhere.test"), 354);
      c.send("Subject: out\r\n\r\nhello\r\n.\r\n");
      queueId = queueIdOf(expect(c.read(), 250));
    }
    String line = log.await(Pattern.quote(queueId) + ": to=<bob@nowhere\\.test>, relay=.*, " + DELAYS
        + ", dsn=4\\.\\d\\.\\d, status=deferred \\(.+\\)$");
    assertTrue(line.length() > line.indexOf("status=deferred (") + 20, "a reason: " + line);
  }
}
