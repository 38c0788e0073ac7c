package io.postino.server;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.SmtpTestClient;
import io.postino.testing.SmtpTestClient.Reply;
import io.postino.testing.TestServer;
import io.postino.testing.WithTestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The SMTP dialogue over a raw socket: every reply code the server gives, in the situations that
 * call for it.
 */
class SmtpDialogueTest extends WithTestServer {

  private static String body(Path file) throws Exception {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  @Test
  void greetingAndEhloAdvertiseTheExtensions() throws Exception {
    server.start();
    try (SmtpTestClient c = new SmtpTestClient(server.port())) {
      Reply greeting = expect(c.read(), 220);
      assertTrue(greeting.text().startsWith("220 mx.test.example ESMTP"), greeting.text());
      Reply ehlo = expect(c.command("EHLO client.example"), 250);
      assertEquals("250-mx.test.example", ehlo.lines().get(0));
      for (String ext : List.of("PIPELINING", "SIZE 52428800", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES",
          "CHUNKING", "DSN")) {
        assertTrue(ehlo.lines().stream().anyMatch(l -> l.substring(4).equals(ext)), ext + " in " + ehlo);
      }
      assertTrue(ehlo.lines().get(ehlo.lines().size() - 1).startsWith("250 "));
      expect(c.command("HELO client.example"), 250);
      expect(c.command("QUIT"), 221);
      assertTrue(c.closedByServer());
    }
  }

  @Test
  void acceptsLocalMailDurablyAndDeliversItToMaildir() throws Exception {
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData("alice@sender.example", "bob@local.example"), 354);
      c.send("Subject: hello\r\n\r\nHi Bob.\r\n..leading dot\r\n.\r\n");
      Reply queued = expect(c.read(), 250);
      assertEquals("2.0.0", queued.enhanced());
      assertTrue(queued.text().contains("queued as "), queued.text());
      String id = queued.text().substring(queued.text().indexOf("queued as ") + 10).trim();

      JsonObject event = server.nextInbound();
      assertEquals(id, event.getString("queueId"));
      assertEquals("alice@sender.example", event.getString("sender"));
      JsonArray boxes = event.getJsonArray("mailboxes");
      assertEquals("bob@local.example", boxes.getJsonObject(0).getString("recipient"));

      List<Path> files = server.mailbox("local.example", "bob");
      assertEquals(1, files.size());
      assertEquals(files.get(0).toAbsolutePath().toString(), boxes.getJsonObject(0).getString("path"));
      String mail = body(files.get(0));
      assertTrue(mail.startsWith("Return-Path: <alice@sender.example>\r\nDelivered-To: bob@local.example\r\n"
          + "Received: from client.example ([127.0.0.1])\r\n\tby mx.test.example (Postino) with ESMTP id " + id
          + "\r\n\tfor <bob@local.example>; "), mail);
      assertTrue(mail.endsWith("\r\nSubject: hello\r\n\r\nHi Bob.\r\n.leading dot\r\n"), mail);
      TestServer.await("spool emptied", () -> server.spooled().isEmpty());
      expect(c.command("QUIT"), 221);
    }
  }

  @Test
  void sequenceErrorsGet503() throws Exception {
    server.start();
    try (SmtpTestClient c = server.connect()) {
      assertEquals("5.5.1", expect(c.command("MAIL FROM:<a@b.example>"), 503).enhanced());
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("RCPT TO:<bob@local.example>"), 503);
      expect(c.command("DATA"), 503);
      expect(c.command("MAIL FROM:<a@b.example>"), 250);
      expect(c.command("MAIL FROM:<a@b.example>"), 503);
      expect(c.command("DATA"), 503);
      expect(c.command("RSET"), 250);
      expect(c.command("RCPT TO:<bob@local.example>"), 503);
    }
  }

  @Test
  void simpleCommands() throws Exception {
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("NOOP"), 250);
      expect(c.command("noop anything"), 250);
      Reply vrfy = expect(c.command("VRFY bob"), 252);
      assertEquals("2.0.0", vrfy.enhanced());
      assertEquals("5.5.1", expect(c.command("EXPN staff"), 502).enhanced());
      expect(c.command("HELP"), 214);
      assertEquals("5.5.2", expect(c.command("FOO bar"), 500).enhanced());
      assertEquals("5.5.4", expect(c.command("DATA now"), 501).enhanced());
      expect(c.command("HELO"), 501);
      // AUTH needs EHLO first (STARTTLS and AUTH have their own tests: StartTlsTest, AuthTest)
      assertEquals("5.5.1", expect(c.command("AUTH PLAIN"), 503).enhanced());
      expect(c.command("QUIT"), 221);
    }
  }

  @Test
  void relayIsRefusedToUntrustedClients() throws Exception {
    server.config.put("trustedNetworks", new JsonArray());
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<a@b.example>"), 250);
      Reply denied = expect(c.command("RCPT TO:<victim@elsewhere.example>"), 554);
      assertEquals("554 5.7.1 <victim@elsewhere.example>: Relay access denied", denied.text());
      // local domains, in any case, and the bare postmaster are still accepted
      expect(c.command("RCPT TO:<Bob@LOCAL.example>"), 250);
      expect(c.command("RCPT TO:<Postmaster>"), 250);
    }
  }

  @Test
  void trustedClientsRelayAndTheMessageStaysSpooled() throws Exception {
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData("a@local.example", "friend@elsewhere.example"), 354);
      c.send("Subject: out\r\n\r\nbye\r\n.\r\n");
      expect(c.read(), 250);
    }
    assertEquals(1, server.spooled().size());
    assertNull(server.pollInbound(200));
  }

  @Test
  void unknownLocalUsersAreRefusedWhenUsersAreListed() throws Exception {
    server.config.put("localUsers", new JsonObject().put("local.example", new JsonArray().add("bob")));
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<a@b.example>"), 250);
      Reply unknown = expect(c.command("RCPT TO:<carol@local.example>"), 550);
      assertEquals("5.1.1", unknown.enhanced());
      expect(c.command("RCPT TO:<BOB@local.example>"), 250);
      expect(c.command("RCPT TO:<postmaster@local.example>"), 250);
      expect(c.command("RCPT TO:<anyone@other.example>"), 250);
    }
  }

  @Test
  void tooManyRecipientsGet452() throws Exception {
    server.smtp().put("maxRecipients", 3);
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<a@b.example>"), 250);
      for (int i = 0; i < 3; i++) {
        expect(c.command("RCPT TO:<u" + i + "@local.example>"), 250);
      }
      assertEquals("4.5.3", expect(c.command("RCPT TO:<u4@local.example>"), 452).enhanced());
      expect(c.command("DATA"), 354);
      c.send("x\r\n.\r\n");
      expect(c.read(), 250);
      assertEquals(3, server.nextInbound().getJsonArray("mailboxes").size());
      for (int i = 0; i < 3; i++) {
        assertEquals(1, server.mailbox("local.example", "u" + i).size());
      }
    }
  }

  @Test
  void declaredSizeOverTheLimitIsRefusedAtMail() throws Exception {
    server.smtp().put("maxMessageSize", 1000);
    server.start();
    try (SmtpTestClient c = server.connect()) {
      Reply ehlo = expect(c.command("EHLO client.example"), 250);
      assertTrue(ehlo.lines().contains("250-SIZE 1000"), ehlo.text());
      Reply big = expect(c.command("MAIL FROM:<a@b.example> SIZE=1001"), 552);
      assertEquals("5.3.4", big.enhanced());
      expect(c.command("MAIL FROM:<a@b.example> SIZE=1000"), 250);
    }
  }

  @Test
  void contentOverTheLimitIsRefusedAfterTheDotAndTheSessionGoesOn() throws Exception {
    server.smtp().put("maxMessageSize", 1000);
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData("a@b.example", "bob@local.example"), 354);
      c.send("x".repeat(700) + "\r\n" + "y".repeat(700) + "\r\n.\r\n");
      assertEquals("5.3.4", expect(c.read(), 552).enhanced());
      expect(c.command("MAIL FROM:<a@b.example>"), 250);
      expect(c.command("RCPT TO:<bob@local.example>"), 250);
      expect(c.command("DATA"), 354);
      c.send("small\r\n.\r\n");
      expect(c.read(), 250);
    }
    server.nextInbound();
    assertEquals(1, server.mailbox("local.example", "bob").size());
  }

  @Test
  void endlessContentWithoutLineEndsEndsAt552AndClose() throws Exception {
    server.smtp().put("maxMessageSize", 1024 * 1024);
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData("a@b.example", "bob@local.example"), 354);
      byte[] chunk = new byte[64 * 1024];
      java.util.Arrays.fill(chunk, (byte) 'a');
      long sent = 0;
      try {
        // a 100 MB stream with no CRLF: the server stops it at twice the limit
        while (sent < 100L * 1024 * 1024) {
          c.sendBytes(chunk);
          sent += chunk.length;
        }
      } catch (java.io.IOException closed) {
        // the server closed the connection while we were still writing: expected
      }
      assertTrue(sent < 100L * 1024 * 1024, "the server read all " + sent + " bytes");
      Reply r = expect(c.read(), 552);
      assertEquals("5.3.4", r.enhanced());
      assertTrue(c.closedByServer());
    }
    TestServer.await("tmp emptied", () -> TestServer.files(dir.resolve("spool").resolve("tmp")).isEmpty());
    assertTrue(server.spooled().isEmpty());
  }

  @Test
  void overlongCommandLineIsRefusedAndItsRestNeverRuns() throws Exception {
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      // 600 octets of padding, then something that would be a command if the tail were executed
      c.send("NOOP " + "x".repeat(600) + "QUIT\r\n");
      assertEquals("5.5.2", expect(c.read(), 500).enhanced());
      // a line over the limit that arrives whole in one read is refused too
      c.send("MAIL FROM:<a@b.example> " + "x".repeat(520) + "\r\n");
      expect(c.read(), 500);
      expect(c.command("NOOP"), 250);
      // exactly 512 octets with CRLF is allowed
      String line = "NOOP " + "y".repeat(512 - 2 - 5);
      assertEquals(510, line.length());
      expect(c.command(line), 250);
    }
  }

  @Test
  void nulCrAndBareLfInCommandsAreRefused() throws Exception {
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      c.sendBytes("NOOP\0\r\n".getBytes(StandardCharsets.US_ASCII));
      expect(c.read(), 500);
      c.send("MAIL FROM:<a@b.example>\rRCPT TO:<x@y.example>\r\n");
      expect(c.read(), 500);
      c.send("NOOP\n");
      expect(c.read(), 500);
      expect(c.command("MAIL FROM:<a@b.example>"), 250);
    }
  }

  @Test
  void pipelinedCommandsAreAnsweredInOrder() throws Exception {
    server.start();
    try (SmtpTestClient c = server.connect()) {
      c.send("EHLO client.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<bob@local.example>\r\n"
          + "RCPT TO:<nobody@elsewhere.example>\r\nRCPT TO:<carol@local.example>\r\nDATA\r\n");
      expect(c.read(), 250);
      expect(c.read(), 250);
      expect(c.read(), 250);
      expect(c.read(), 250); // trusted loopback: relay allowed
      expect(c.read(), 250);
      expect(c.read(), 354);
      c.send("Subject: p\r\n\r\nbody\r\n.\r\nMAIL FROM:<x@b.example>\r\nRCPT TO:<bob@local.example>\r\nDATA\r\n"
          + "second\r\n.\r\nQUIT\r\n");
      expect(c.read(), 250);
      expect(c.read(), 250);
      expect(c.read(), 250);
      expect(c.read(), 354);
      expect(c.read(), 250);
      expect(c.read(), 221);
    }
    server.nextInbound();
    server.nextInbound();
    assertEquals(2, server.mailbox("local.example", "bob").size());
  }

  @Test
  void errorBudgetEndsTheSession() throws Exception {
    server.smtp().put("maxErrors", 3);
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("BOGUS"), 500);
      expect(c.command("BOGUS"), 500);
      expect(c.command("BOGUS"), 500);
      Reply bye = expect(c.read(), 421);
      assertEquals("4.7.0", bye.enhanced());
      assertTrue(c.closedByServer());
    }
  }

  @Test
  void earlyTalkerIsRefused() throws Exception {
    server.smtp().put("greetingDelay", 5);
    server.start();
    try (SmtpTestClient c = new SmtpTestClient(server.port())) {
      c.send("EHLO spammer.example\r\n");
      Reply r = expect(c.read(), 554);
      assertEquals("5.5.1", r.enhanced());
      assertTrue(c.closedByServer());
    }
  }

  @Test
  void idleClientsTimeOutWith421() throws Exception {
    server.smtp().put("idleTimeout", 0.3);
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      Reply r = expect(c.read(), 421);
      assertEquals("4.4.2", r.enhanced());
      assertTrue(c.closedByServer());
    }
  }

  @Test
  void aClientDrippingACommandHitsTheCommandDeadline() throws Exception {
    server.smtp().put("commandDeadline", 0.5).put("idleTimeout", 60);
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      c.drip();
      Reply r = expect(c.read(), 421);
      assertEquals("4.4.2", r.enhanced());
      assertTrue(c.closedByServer());
    }
  }

  @Test
  void aClientDrippingContentHitsTheDataDeadline() throws Exception {
    server.smtp().put("dataDeadline", 0.5).put("idleTimeout", 60);
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData("a@b.example", "bob@local.example"), 354);
      c.drip();
      Reply r = expect(c.read(), 421);
      assertEquals("4.4.2", r.enhanced());
      assertTrue(c.closedByServer());
    }
    TestServer.await("tmp emptied", () -> TestServer.files(dir.resolve("spool").resolve("tmp")).isEmpty());
    assertTrue(server.spooled().isEmpty());
  }

  @Test
  void aClientThatNeverReadsItsRepliesIsDisconnectedWhenIdle() throws Exception {
    server.smtp().put("idleTimeout", 0.5);
    server.start();
    try (SmtpTestClient c = server.connect()) {
      // pipelines commands without ever reading a reply: the server's send buffer fills, it stops
      // reading, and this writer blocks; only a server that closes the connection unblocks it
      CompletableFuture<Void> writerStopped = new CompletableFuture<>();
      Thread writer = new Thread(() -> {
        byte[] noops = "NOOP\r\n".repeat(10_000).getBytes(StandardCharsets.US_ASCII);
        try {
          for (int i = 0; i < 10_000; i++) {
            c.sendBytes(noops);
          }
          writerStopped.completeExceptionally(new AssertionError("the server read 600 MB of NOOPs"));
        } catch (java.io.IOException closedByServer) {
          writerStopped.complete(null);
        }
      });
      long started = System.nanoTime();
      writer.setDaemon(true);
      writer.start();
      writerStopped.get(30, TimeUnit.SECONDS);
      // not sooner than the idle timeout: it was the timeout, not some other refusal, that closed it
      assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(500));
    }
  }

  @Test
  void connectionLimitsPerClientAndInTotal() throws Exception {
    server.smtp().put("maxConnectionsPerClient", 2).put("maxConnections", 3);
    server.start();
    try (SmtpTestClient a = server.connect(); SmtpTestClient b = server.connect();
         SmtpTestClient c = new SmtpTestClient(server.port())) {
      Reply r = expect(c.read(), 421);
      assertEquals("4.7.0", r.enhanced());
      assertTrue(c.closedByServer());
      expect(a.command("NOOP"), 250);
    }
    // the slots come back when clients leave
    TestServer.await("slots released", () -> {
      try (SmtpTestClient d = new SmtpTestClient(server.port())) {
        return d.read().code() == 220;
      } catch (Exception e) {
        return false;
      }
    });
  }

  @Test
  void smtpUtf8AddressesNeedTheParameter() throws Exception {
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      Reply r = expect(c.command("MAIL FROM:<jösé@b.example>"), 553);
      assertEquals("5.6.7", r.enhanced());
      expect(c.command("MAIL FROM:<jösé@b.example> SMTPUTF8"), 250);
      expect(c.command("RCPT TO:<usér@local.example>"), 250);
      expect(c.command("DATA"), 354);
      c.send("Subject: ü\r\n\r\nGrüße\r\n.\r\n");
      expect(c.read(), 250);
    }
    JsonObject event = server.nextInbound();
    assertEquals("jösé@b.example", event.getString("sender"));
    // RFC 6531 section 3.7.3: the protocol of a transaction with SMTPUTF8 is UTF8SMTP
    assertTrue(body(server.mailbox("local.example", "usér").get(0)).contains(" with UTF8SMTP id "));
  }

  @Test
  void longTextLinesAreStoredUnchanged() throws Exception {
    server.start();
    String longLine = "z".repeat(5000);
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData("a@b.example", "bob@local.example"), 354);
      c.send("Subject: long\r\n\r\n" + longLine + "\r\n.\r\n");
      expect(c.read(), 250);
    }
    server.nextInbound();
    assertTrue(body(server.mailbox("local.example", "bob").get(0)).endsWith("\r\n\r\n" + longLine + "\r\n"));
  }

  @Test
  void strictContentLineLimitIsAnOption() throws Exception {
    server.smtp().put("maxContentLineLength", 998);
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData("a@b.example", "bob@local.example"), 354);
      c.send("Subject: long\r\n\r\n" + "z".repeat(999) + "\r\n.\r\n");
      assertEquals("5.6.0", expect(c.read(), 550).enhanced());
      expect(c.command("NOOP"), 250);
    }
  }

  @Test
  void bdatChunksMakeOneMessage() throws Exception {
    server.start();
    String part1 = "Subject: chunked\r\n\r\n";
    String part2 = "line one\r\n.not a terminator\r\n";
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<a@b.example>"), 250);
      expect(c.command("RCPT TO:<bob@local.example>"), 250);
      c.send("BDAT " + part1.length() + "\r\n" + part1);
      expect(c.read(), 250);
      // the envelope went to the spool with the first chunk: a recipient added now would be lost
      assertEquals("5.5.1", expect(c.command("RCPT TO:<carol@local.example>"), 503).enhanced());
      c.send("BDAT " + part2.length() + " LAST\r\n" + part2);
      Reply r = expect(c.read(), 250);
      assertTrue(r.text().contains("queued as"), r.text());
      expect(c.command("DATA"), 503);
      // a chunk without a transaction is read and refused, and the session goes on
      c.send("BDAT 5 LAST\r\nhello");
      expect(c.read(), 503);
      expect(c.command("NOOP"), 250);
    }
    assertEquals(1, server.nextInbound().getJsonArray("mailboxes").size());
    assertTrue(body(server.mailbox("local.example", "bob").get(0)).endsWith("\r\n" + part1 + part2));
  }

  @Test
  void clientThatVanishesMidDataLeavesNothingBehind() throws Exception {
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData("a@b.example", "bob@local.example"), 354);
      c.send("Subject: half\r\n\r\nhalf a mess");
    }
    // another session works normally and the half message never shows up
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData("a@b.example", "bob@local.example"), 354);
      c.send("whole\r\n.\r\n");
      expect(c.read(), 250);
    }
    server.nextInbound();
    TestServer.await("tmp emptied", () -> TestServer.files(dir.resolve("spool").resolve("tmp")).isEmpty());
    assertEquals(1, server.mailbox("local.example", "bob").size());
    assertFalse(body(server.mailbox("local.example", "bob").get(0)).contains("half"));
  }

  @Test
  void aCraftedHeloCannotPutAnotherAddressFirstInTheReceivedHeader() throws Exception {
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("HELO trusted.example ([10.99.0.1]) by mx.victim"), 250);
      expect(c.command("MAIL FROM:<a@b.example>"), 250);
      expect(c.command("RCPT TO:<bob@local.example>"), 250);
      expect(c.command("DATA"), 354);
      c.send("Subject: crafted\r\n\r\nhi\r\n.\r\n");
      expect(c.read(), 250);
    }
    server.nextInbound();
    String mail = body(server.mailbox("local.example", "bob").get(0));
    assertTrue(mail.contains("\r\nReceived: from unknown ([127.0.0.1] helo=trusted.example???10.99.0.1???by?mx.victim)"
        + "\r\n\tby mx.test.example (Postino) with SMTP id "), mail);
  }
}
