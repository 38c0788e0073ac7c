package io.postino.it;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.dns.TestDnsServer;
import io.postino.testing.Dsn;
import io.postino.testing.SmtpSink;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mail for remote domains leaves, end to end over real sockets: a client sends to Postino, the
 * test's DNS server gives the domain's MX, and a real SMTP server (SubEthaSMTP) on 127.0.0.x
 * receives it; failures come back as DSNs in the sender's local mailbox, parsed with Mime4j.
 * The retry schedule is shortened to fractions of a second.
 */
class OutboundDeliveryTest {

  @TempDir
  Path dir;
  private TestDnsServer dns;
  private SmtpSink sink;
  private TestServer server;

  /** Postino resolving through the test DNS server, MX hosts on the sink's port, a short schedule. */
  @BeforeEach
  void setUp() throws IOException {
    dns = TestDnsServer.start();
    sink = new SmtpSink().start();
    server = new TestServer(dir);
    server.config.put("dns", new JsonObject()
        .put("servers", new JsonArray().add(dns.address()))
        .put("queryTimeout", 500)
        .put("retries", 0)
        .put("smtpPort", sink.port()));
    server.queue().put("minBackoff", 0.2).put("maxBackoff", 0.4).put("scanInterval", 0.05);
    server.config.put("delivery", new JsonObject().put("connectTimeout", 2).put("commandTimeout", 5)
        .put("dataTimeout", 5));
  }

  @AfterEach
  void tearDown() throws IOException {
    server.close();
    sink.close();
    dns.close();
  }

  /** The domain's MX is the sink on 127.0.0.1. */
  private void mx(String domain) {
    dns.zone(domain + ". 300 IN MX 10 mx." + domain + ".", "mx." + domain + ". 300 IN A 127.0.0.1");
  }

  /** Sends a message and returns its queue id. */
  private String send(String from, String content, String... to) throws IOException {
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData(from, to), 354);
      c.send(content + ".\r\n");
      String text = expect(c.read(), 250).text();
      return text.substring(text.indexOf("queued as ") + 10).trim();
    }
  }

  private Dsn nextDsn(String user) throws IOException {
    server.nextInbound();
    List<Path> files = server.mailbox("local.example", user);
    return Dsn.parse(Files.readAllBytes(files.get(files.size() - 1)));
  }

  @Test
  void aRealClientsMessageArrivesExactlyWithOurReceivedHeaderOnTop() throws Exception {
    mx("dest.test");
    server.start();
    Properties props = new Properties();
    props.put("mail.smtp.host", "127.0.0.1");
    props.put("mail.smtp.port", String.valueOf(server.port()));
    props.put("mail.smtp.localhost", "client.example");
    props.put("mail.smtp.allow8bitmime", "true");
    Session session = Session.getInstance(props);
    MimeMessage msg = new MimeMessage(session);
    msg.setFrom("alice@local.example");
    msg.setRecipients(Message.RecipientType.TO, "bob@dest.test");
    msg.setSubject("Grüße", "UTF-8");
    msg.setText("first\r\n.\r\n..two dots\r\nGrüße aus Köln\r\n", "UTF-8");
    msg.setHeader("Content-Transfer-Encoding", "8bit");
    msg.saveChanges();
    try (Transport t = session.getTransport("smtp")) {
      t.connect();
      t.sendMessage(msg, msg.getAllRecipients());
    }
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    msg.writeTo(sent);

    SmtpSink.Received got = sink.next();

    assertEquals("alice@local.example", got.from());
    assertEquals(List.of("bob@dest.test"), got.recipients());
    String text = new String(got.data(), StandardCharsets.UTF_8);
    assertTrue(text.startsWith("Received: from client.example ([127.0.0.1])\r\n\tby mx.test.example (Postino) with ESMTP id "),
        text);
    int received = text.indexOf("\r\n", text.indexOf("\tfor <bob@dest.test>")) + 2;
    byte[] rest = Arrays.copyOfRange(got.data(), text.substring(0, received).getBytes(StandardCharsets.UTF_8).length,
        got.data().length);
    assertArrayEquals(sent.toByteArray(), rest);
    JsonObject event = server.nextEvent();
    assertEquals("delivered", event.getString("event"));
    assertEquals("mx.dest.test", event.getJsonObject("result").getString("mx"));
    TestServer.await("spool empty", () -> server.spooled().isEmpty());
  }

  @Test
  void postinoToPostinoPipelinedWithALargeMessage() throws Exception {
    relayToPeer(3_000_000);
  }

  /** Content that is sent from memory, encoded straight into the connection's buffer over TLS. */
  @Test
  void postinoToPostinoPipelinedWithAMessageHeldInMemory() throws Exception {
    relayToPeer(100 * 1024);
  }

  /** A message of about {@code size} octets with lines to dot-stuff, to two recipients of a peer Postino. */
  private void relayToPeer(int size) throws Exception {
    try (TestServer peer = new TestServer(dir.resolve("peer"))) {
      peer.config.put("hostname", "peer.test.example").put("localDomains", new JsonArray().add("peer.test"));
      peer.start();
      server.dns().put("routes", new JsonObject().put("peer.test", "127.0.0.1:" + peer.port()));
      server.start();
      StringBuilder body = new StringBuilder("Subject: big\r\n\r\n");
      for (int i = 0; body.length() < size; i++) {
        body.append(i % 7 == 0 ? ".dot line " : "line ").append(i).append(" \u00e9\u00e8 ").append("x".repeat(i % 90))
            .append("\r\n");
      }
      String content = body.toString();
      try (SmtpTestClient c = server.connect()) {
        expect(c.startData("alice@local.example", "bob@peer.test", "carol@peer.test"), 354);
        c.send(content.replace("\r\n.", "\r\n..") + ".\r\n");
        expect(c.read(), 250);
      }

      peer.nextInbound();
      for (String user : List.of("bob", "carol")) {
        String stored = Files.readString(peer.mailbox("peer.test", user).get(0), StandardCharsets.UTF_8);
        assertTrue(stored.contains("by peer.test.example (Postino) with ESMTPS id"), "the peer's own Received: over STARTTLS");
        assertTrue(stored.contains("by mx.test.example (Postino) with ESMTP id"), "ours");
        assertTrue(stored.endsWith(content), "the content, whole and unchanged");
      }
      TestServer.await("spool empty", () -> server.spooled().isEmpty());
    }
  }

  @Test
  void onlyTheActiveWindowIsInMemoryTheRestWaitsOnDisk() throws Exception {
    mx("dest.test");
    server.queue().put("activeLimit", 3);
    server.start();
    sink.hold(recipients -> true);

    for (int i = 0; i < 10; i++) {
      send("alice@local.example", "Subject: n" + i + "\r\n\r\nbody\r\n", "r" + i + "@dest.test");
    }
    TestServer.await("three deliveries under way", () -> sink.held() == 3);

    assertEquals(3, server.postino.queue().activeCount());
    assertEquals(10, server.spooled().size());
    sink.release();
    TestServer.await("all delivered", () -> server.spooled().isEmpty());
    assertEquals(10, sink.transactions());
    assertTrue(sink.maxHeld() <= 3, "at most the window in flight: " + sink.maxHeld());
  }

  @Test
  void deadPrimaryMxThenTheSecondary() throws Exception {
    dns.zone("dest.test. 300 IN MX 10 mx1.dest.test.", "dest.test. 300 IN MX 20 mx2.dest.test.",
        "mx1.dest.test. 300 IN A 127.0.0.2", "mx2.dest.test. 300 IN A 127.0.0.1");
    server.start();

    send("alice@local.example", "Subject: fallback\r\n\r\nhello\r\n", "bob@dest.test");

    assertEquals(List.of("bob@dest.test"), sink.next().recipients());
    assertEquals("mx2.dest.test", server.nextEvent().getJsonObject("result").getString("mx"));
  }

  @Test
  void temporaryFailureThenDeliveredOnRetry() throws Exception {
    sink.failData(1);
    mx("dest.test");
    server.start();

    send("alice@local.example", "Subject: retry\r\n\r\nhello\r\n", "bob@dest.test");

    JsonObject deferred = server.nextEvent();
    assertEquals("deferred", deferred.getString("event"));
    assertEquals(451, deferred.getJsonObject("result").getInteger("code"));
    assertEquals(1, deferred.getInteger("attempt"));
    JsonObject delivered = server.nextEvent();
    assertEquals("delivered", delivered.getString("event"));
    assertEquals(2, delivered.getInteger("attempt"));
    assertTrue(new String(sink.next().data(), StandardCharsets.US_ASCII).contains("Subject: retry"));
    TestServer.await("spool empty", () -> server.spooled().isEmpty());
    assertNull(server.pollInbound(100), "no bounce");
  }

  @Test
  void oneRecipientRefusedForGoodGetsADsnTheOtherTheMessage() throws Exception {
    sink.refuse("bad@dest.test", 550);
    mx("dest.test");
    server.start();

    send("alice@local.example", "Subject: half\r\nMessage-ID: <m1@local.example>\r\n\r\nhello\r\n",
        "good@dest.test", "bad@dest.test");

    assertEquals(List.of("good@dest.test"), sink.next().recipients());
    Dsn dsn = nextDsn("alice");
    assertEquals("Undelivered Mail Returned to Sender", dsn.message.getSubject());
    assertEquals("multipart/report", dsn.message.getMimeType());
    assertEquals("delivery-status", dsn.message.getHeader().getField("Content-Type").getBody().contains(
        "report-type=delivery-status") ? "delivery-status" : "");
    assertEquals("auto-replied", dsn.message.getHeader().getField("Auto-Submitted").getBody());
    assertEquals("text/plain", dsn.parts.get(0).getMimeType());
    assertEquals("message/delivery-status", dsn.parts.get(1).getMimeType());
    assertEquals("text/rfc822-headers", dsn.parts.get(2).getMimeType());
    assertEquals("dns; mx.test.example", dsn.perMessage.get("Reporting-MTA"));
    assertTrue(dsn.perMessage.containsKey("Arrival-Date"));
    assertEquals(1, dsn.perRecipient.size());
    Map<String, String> r = dsn.perRecipient.get(0);
    assertEquals("rfc822; bad@dest.test", r.get("Final-Recipient"));
    assertEquals("failed", r.get("Action"));
    assertEquals("5.1.1", r.get("Status"));
    assertEquals("dns; mx.dest.test", r.get("Remote-MTA"));
    assertTrue(r.get("Diagnostic-Code").startsWith("smtp; 550 5.1.1 <bad@dest.test>"), r.get("Diagnostic-Code"));
    assertTrue(dsn.returned.contains("Message-ID: <m1@local.example>"), dsn.returned);
    assertTrue(!dsn.returned.contains("hello"), "headers only");
    assertTrue(dsn.human.contains("<bad@dest.test>: host mx.dest.test[127.0.0.1] said: 550"), dsn.human);
    // the bounce itself came from <>
    String stored = Files.readString(server.mailbox("local.example", "alice").get(0));
    assertTrue(stored.startsWith("Return-Path: <>\r\n"), stored);
    TestServer.await("spool empty", () -> server.spooled().isEmpty());
  }

  @Test
  void nullMxBouncesAtOnceWithTheWholeMessageWhenAskedFor() throws Exception {
    dns.zone("nullmx.test. 300 IN MX 0 .");
    server.start();

    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<alice@local.example> RET=FULL ENVID=env+2B1"), 250);
      expect(c.command("RCPT TO:<bob@nullmx.test> NOTIFY=FAILURE ORCPT=rfc822;bob@nullmx.test"), 250);
      expect(c.command("DATA"), 354);
      c.send("Subject: nowhere\r\n\r\nthe body\r\n.\r\n");
      expect(c.read(), 250);
    }

    assertEquals("bounced", server.nextEventFor("bob@nullmx.test").getString("event"));
    Dsn dsn = nextDsn("alice");
    Map<String, String> r = dsn.perRecipient.get(0);
    assertEquals("failed", r.get("Action"));
    assertEquals("5.1.10", r.get("Status"));
    assertEquals("rfc822; bob@nullmx.test", r.get("Original-Recipient"));
    assertEquals("env+1", dsn.perMessage.get("Original-Envelope-Id"));
    assertTrue(r.get("Diagnostic-Code").contains("null MX"), r.get("Diagnostic-Code"));
    assertEquals("message/rfc822", dsn.parts.get(2).getMimeType());
    assertTrue(dsn.returned.contains("the body"), dsn.returned);
  }

  @Test
  void aFailingMessageFromTheNullSenderNeverBounces() throws Exception {
    dns.zone("nullmx.test. 300 IN MX 0 .");
    server.start();

    send("", "Subject: a bounce\r\n\r\nbody\r\n", "bob@nullmx.test");

    assertEquals("bounced", server.nextEvent().getString("event"));
    TestServer.await("spool empty", () -> server.spooled().isEmpty());
    assertNull(server.pollInbound(300), "no bounce of a bounce");
  }

  @Test
  void aFailedBounceCanBeHeldInsteadOfDropped() throws Exception {
    dns.zone("nullmx.test. 300 IN MX 0 .");
    server.queue().put("failedBounces", "hold");
    server.start();

    String id = send("", "Subject: a bounce\r\n\r\nbody\r\n", "bob@nullmx.test");

    TestServer.await("held", () -> TestServer.files(dir.resolve("spool").resolve("hold")).size() == 1);
    assertEquals(List.of(id), server.postino.queue().held().await());
    assertEquals(List.of(), server.spooled());
  }

  @Test
  void aHeldFailedBounceIsTriedAgainWhenReleased() throws Exception {
    sink.refuse("bob@dest.test", 550);
    mx("dest.test");
    server.queue().put("failedBounces", "hold");
    server.start();

    String id = send("", "Subject: a bounce\r\n\r\nbody\r\n", "bob@dest.test");

    assertEquals("bounced", server.nextEvent().getString("event"));
    TestServer.await("held", () -> TestServer.files(dir.resolve("spool").resolve("hold")).size() == 1);
    assertEquals(List.of(id), server.postino.queue().held().await());
    sink.accept("bob@dest.test");
    assertTrue(server.postino.queue().release(id).await());

    assertEquals("delivered", server.nextEvent().getString("event"));
    SmtpSink.Received got = sink.next();
    assertEquals(List.of("bob@dest.test"), got.recipients());
    TestServer.await("spool empty", () -> server.spooled().isEmpty());
    assertEquals(List.of(), server.postino.queue().held().await());
    assertNull(server.pollInbound(300), "no bounce of a bounce");
  }

  @Test
  void notifyNeverMeansNoDsn() throws Exception {
    dns.zone("nullmx.test. 300 IN MX 0 .");
    server.start();

    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<alice@local.example>"), 250);
      expect(c.command("RCPT TO:<bob@nullmx.test> NOTIFY=NEVER"), 250);
      expect(c.command("DATA"), 354);
      c.send("Subject: quiet\r\n\r\nbody\r\n.\r\n");
      expect(c.read(), 250);
    }

    assertEquals("bounced", server.nextEvent().getString("event"));
    TestServer.await("spool empty", () -> server.spooled().isEmpty());
    assertNull(server.pollInbound(300));
  }

  @Test
  void stillFailingAfterTheQueueLifetimeBounces() throws Exception {
    int dead;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      dead = s.getLocalPort();
    }
    server.queue().put("maxLifetime", 0.5);
    server.dns().put("routes", new JsonObject().put("dest.test", "127.0.0.1:" + dead));
    server.queue().put("minBackoff", 0.1).put("maxBackoff", 0.2);
    server.start();

    send("alice@local.example", "Subject: never\r\n\r\nbody\r\n", "bob@dest.test");

    Dsn dsn = nextDsn("alice");
    Map<String, String> r = dsn.perRecipient.get(0);
    assertEquals("failed", r.get("Action"));
    assertEquals("4.4.1", r.get("Status"));
    assertTrue(r.get("Diagnostic-Code").startsWith("X-Postino; connect to"), r.get("Diagnostic-Code"));
    assertTrue(dsn.human.contains("gave up"), dsn.human);
    TestServer.await("spool empty", () -> server.spooled().isEmpty());
  }

  @Test
  void delayWarningOnceWhileStillTrying() throws Exception {
    int dead;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      dead = s.getLocalPort();
    }
    server.dns().put("routes", new JsonObject().put("dest.test", "127.0.0.1:" + dead));
    server.queue().put("minBackoff", 0.05).put("maxBackoff", 0.05).put("delayWarning", 0.2)
        .put("delayWarningWithoutNotify", true);
    server.start();

    String id = send("alice@local.example", "Subject: slow\r\n\r\nbody\r\n", "bob@dest.test");

    Dsn dsn = nextDsn("alice");
    assertEquals("Delayed Mail (still being retried)", dsn.message.getSubject());
    Map<String, String> r = dsn.perRecipient.get(0);
    assertEquals("delayed", r.get("Action"));
    assertTrue(r.containsKey("Will-Retry-Until"));
    assertTrue(server.spooled().contains(dir.resolve("spool").resolve("incoming").resolve(id)), "still queued");
    assertNull(server.pollInbound(500), "one warning only");
  }

  @Test
  void holdReleaseAndDelete() throws Exception {
    sink.failData(1);
    mx("dest.test");
    server.queue().put("minBackoff", 3600).put("maxBackoff", 3600);
    server.start();

    String id = send("alice@local.example", "Subject: ops\r\n\r\nbody\r\n", "bob@dest.test");
    assertEquals("deferred", server.nextEvent().getString("event"));

    assertTrue(server.postino.queue().hold(id).await());
    assertEquals(List.of(), server.spooled());
    assertTrue(server.postino.queue().release(id).await());
    assertEquals("delivered", server.nextEvent().getString("event"));
    TestServer.await("spool empty", () -> server.spooled().isEmpty());
    assertEquals(false, server.postino.queue().delete(id).await());
  }

  @Test
  void requeueFlushAndDeleteDeferredMessages() throws Exception {
    sink.failData(2);
    mx("dest.test");
    server.queue().put("minBackoff", 3600).put("maxBackoff", 3600);
    server.start();

    String one = send("alice@local.example", "Subject: one\r\n\r\nbody\r\n", "bob@dest.test");
    assertEquals("deferred", server.nextEvent().getString("event"));
    assertTrue(server.postino.queue().requeue(one).await());
    assertEquals("deferred", server.nextEvent().getString("event"));
    server.postino.queue().flush().await();
    assertEquals("delivered", server.nextEvent().getString("event"));
    TestServer.await("spool empty", () -> server.spooled().isEmpty());

    sink.failData(1);
    String two = send("alice@local.example", "Subject: two\r\n\r\nbody\r\n", "carol@dest.test");
    assertEquals("deferred", server.nextEvent().getString("event"));
    assertTrue(server.postino.queue().delete(two).await());
    assertEquals(List.of(), server.spooled());
    assertEquals(List.of(), TestServer.files(dir.resolve("spool").resolve("status")));
    assertEquals(false, server.postino.queue().requeue(two).await());
    assertNull(server.pollInbound(100), "no report for a deleted message");
  }
}
