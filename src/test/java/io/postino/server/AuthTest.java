package io.postino.server;

import io.postino.PostinoInternals;
import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.server.auth.UsersFile;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.SmtpTestClient.Reply;
import io.postino.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AUTH PLAIN and LOGIN (RFC 4954, 4616) over raw sockets: both forms, cancel, bad input, wrong
 * passwords and the attempt limits, relay rights, and what the spool and Received header record.
 */
class AuthTest {

  @TempDir
  Path dir;
  TestServer server;

  @BeforeEach
  void setUp() {
    server = new TestServer(dir).untrusted().addUser("alice", "correct horse").addUser("bob@local.example", "pw2");
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String plain(String user, String password) {
    return b64("\0" + user + "\0" + password);
  }

  /** Connected, TLS started, EHLO said. */
  private SmtpTestClient secure() throws Exception {
    SmtpTestClient c = server.connect();
    c.startTls();
    expect(c.command("EHLO client.example"), 250);
    return c;
  }

  @Test
  void authBeforeTlsIsRefusedAndNotAdvertised() throws Exception {
    server.start();
    try (SmtpTestClient c = server.connect()) {
      Reply ehlo = expect(c.command("EHLO client.example"), 250);
      assertTrue(ehlo.lines().stream().noneMatch(l -> l.contains("AUTH")), ehlo.text());
      Reply refused = expect(c.command("AUTH PLAIN " + plain("alice", "correct horse")), 538);
      assertEquals("5.7.11", refused.enhanced());
    }
  }

  @Test
  void plaintextAuthWhenAllowed() throws Exception {
    server.auth().put("allowPlaintext", true);
    server.start();
    try (SmtpTestClient c = server.connect()) {
      Reply ehlo = expect(c.command("EHLO client.example"), 250);
      assertTrue(ehlo.lines().contains("250-AUTH PLAIN LOGIN"), ehlo.text());
      expect(c.command("AUTH PLAIN " + plain("alice", "correct horse")), 235);
    }
  }

  @Test
  void plainWithInitialResponse() throws Exception {
    server.start();
    try (SmtpTestClient c = secure()) {
      Reply ok = expect(c.command("AUTH PLAIN " + plain("alice", "correct horse")), 235);
      assertEquals("2.7.0", ok.enhanced());
      assertEquals("5.5.1", expect(c.command("AUTH PLAIN " + plain("alice", "correct horse")), 503).enhanced());
    }
  }

  @Test
  void plainChallengeForm() throws Exception {
    server.start();
    try (SmtpTestClient c = secure()) {
      assertEquals("334 ", expect(c.command("AUTH PLAIN"), 334).text());
      expect(c.command(plain("bob@local.example", "pw2")), 235);
    }
  }

  @Test
  void loginChallengeFormAndInitialResponse() throws Exception {
    server.start();
    try (SmtpTestClient c = secure()) {
      assertEquals("334 " + b64("Username:"), expect(c.command("AUTH LOGIN"), 334).text());
      assertEquals("334 " + b64("Password:"), expect(c.command(b64("alice")), 334).text());
      expect(c.command(b64("correct horse")), 235);
    }
    try (SmtpTestClient c = secure()) {
      expect(c.command("auth login " + b64("alice")), 334);
      expect(c.command(b64("correct horse")), 235);
    }
  }

  @Test
  void starCancels() throws Exception {
    server.start();
    try (SmtpTestClient c = secure()) {
      expect(c.command("AUTH LOGIN"), 334);
      expect(c.command(b64("alice")), 334);
      Reply cancelled = expect(c.command("*"), 501);
      assertEquals("5.7.0", cancelled.enhanced());
      // back to commands, and a cancel is no failed login
      expect(c.command("NOOP"), 250);
      expect(c.command("AUTH PLAIN " + plain("alice", "correct horse")), 235);
    }
  }

  @Test
  void badBase64() throws Exception {
    server.start();
    try (SmtpTestClient c = secure()) {
      assertEquals("5.5.2", expect(c.command("AUTH PLAIN !!!notbase64"), 501).enhanced());
      expect(c.command("AUTH PLAIN"), 334);
      assertEquals("5.5.2", expect(c.command("also not base64"), 501).enhanced());
      expect(c.command("NOOP"), 250);
    }
  }

  @Test
  void unknownMechanismAndSequenceErrors() throws Exception {
    server.start();
    try (SmtpTestClient c = server.connect()) {
      c.startTls();
      assertEquals("5.5.1", expect(c.command("AUTH PLAIN"), 503).enhanced());
      expect(c.command("EHLO client.example"), 250);
      assertEquals("5.5.4", expect(c.command("AUTH CRAM-MD5"), 504).enhanced());
      expect(c.command("MAIL FROM:<a@b.example>"), 250);
      assertEquals("5.5.1", expect(c.command("AUTH PLAIN " + plain("alice", "correct horse")), 503).enhanced());
    }
  }

  @Test
  void wrongPasswordsAreLimitedPerSession() throws Exception {
    server.start();
    try (SmtpTestClient c = secure()) {
      assertEquals("5.7.8", expect(c.command("AUTH PLAIN " + plain("alice", "wrong")), 535).enhanced());
      expect(c.command("AUTH PLAIN " + plain("nobody", "wrong")), 535);
      expect(c.command("AUTH LOGIN"), 334);
      expect(c.command(b64("alice")), 334);
      expect(c.command(b64("still wrong")), 535);
      Reply closing = expect(c.read(), 421);
      assertEquals("4.7.0", closing.enhanced());
      c.readUntilClosed();
    }
  }

  @Test
  void wrongPasswordsAreLimitedPerClientAddressAcrossSessions() throws Exception {
    server.auth().put("maxFailuresPerSession", 2).put("maxFailuresPerClient", 3);
    server.start();
    try (SmtpTestClient c = secure()) {
      expect(c.command("AUTH PLAIN " + plain("alice", "wrong")), 535);
      expect(c.command("AUTH PLAIN " + plain("alice", "wrong")), 535);
      expect(c.read(), 421);
    }
    try (SmtpTestClient c = secure()) {
      expect(c.command("AUTH PLAIN " + plain("alice", "wrong")), 535);
      expect(c.read(), 421);
    }
    try (SmtpTestClient c = secure()) {
      // even the right password is not checked now: the port is no password oracle
      Reply refused = expect(c.command("AUTH PLAIN " + plain("alice", "correct horse")), 421);
      assertEquals("4.7.0", refused.enhanced());
      c.readUntilClosed();
    }
  }

  @Test
  void responsesMayBeLongerThanCommandLinesButNotEndless() throws Exception {
    server.start();
    try (SmtpTestClient c = secure()) {
      // a 9000-octet response: over the 512 of a command line, within RFC 4954's 12288
      expect(c.command("AUTH PLAIN"), 334);
      expect(c.command(plain("alice", "x".repeat(6700))), 535);
      expect(c.command("AUTH PLAIN"), 334);
      c.send("A".repeat(13_000) + "\r\n");
      assertEquals("5.5.2", expect(c.read(), 500).enhanced());
      expect(c.command("NOOP"), 250);
    }
  }

  @Test
  void relayNeedsAuthAndTheUserIsRecorded() throws Exception {
    server.start();
    try (SmtpTestClient c = secure()) {
      expect(c.command("MAIL FROM:<alice@local.example>"), 250);
      assertEquals("5.7.1", expect(c.command("RCPT TO:<friend@elsewhere.example>"), 554).enhanced());
      expect(c.command("RSET"), 250);
      expect(c.command("AUTH PLAIN " + plain("alice", "correct horse")), 235);
      expect(c.command("MAIL FROM:<alice@local.example>"), 250);
      expect(c.command("RCPT TO:<friend@elsewhere.example>"), 250);
      expect(c.command("DATA"), 354);
      c.send("Subject: out\r\n\r\nhi\r\n.\r\n");
      expect(c.read(), 250);
    }
    List<Path> spooled = server.spooled();
    assertEquals(1, spooled.size());
    JsonObject envelope = TestServer.spooledEnvelope(spooled.get(0));
    assertEquals("alice", envelope.getString("authenticatedUser"));
    assertEquals("ESMTPSA", envelope.getString("protocol"));
    String file = Files.readString(spooled.get(0), StandardCharsets.UTF_8);
    // the login name is not told to the recipients unless configured
    assertTrue(file.matches("(?s).*\nReceived: from client\\.example \\(\\[127\\.0\\.0\\.1]\\)\r\n"
        + "\t\\(using TLSv1\\.[23] with cipher TLS_\\w+\\)\r\n"
        + "\tby mx\\.test\\.example \\(Postino\\) with ESMTPSA id \\w+\r\n"
        + "\tfor <friend@elsewhere\\.example>; .*"), file);
  }

  @Test
  void theLoginNameGoesIntoTheReceivedHeaderOnlyWhenConfigured() throws Exception {
    server.auth().put("authenticatedHeader", true);
    server.start();
    try (SmtpTestClient c = secure()) {
      expect(c.command("AUTH PLAIN " + plain("alice", "correct horse")), 235);
      expect(c.command("MAIL FROM:<alice@local.example>"), 250);
      expect(c.command("RCPT TO:<friend@elsewhere.example>"), 250);
      expect(c.command("DATA"), 354);
      c.send("Subject: out\r\n\r\nhi\r\n.\r\n");
      expect(c.read(), 250);
    }
    String file = Files.readString(server.spooled().get(0), StandardCharsets.UTF_8);
    assertTrue(file.matches("(?s).*\nReceived: from client\\.example \\(\\[127\\.0\\.0\\.1]\\)\r\n"
        + "\t\\(using TLSv1\\.[23] with cipher TLS_\\w+\\)\r\n"
        + "\t\\(Authenticated sender: alice\\)\r\n"
        + "\tby mx\\.test\\.example \\(Postino\\) with ESMTPSA id \\w+\r\n.*"), file);
  }

  @Test
  void smtpUtf8MailIsReceivedWithUtf8SmtpAsRfc6531SaysTheProtocol() throws Exception {
    server.start();
    try (SmtpTestClient c = secure()) {
      expect(c.command("AUTH PLAIN " + plain("alice", "correct horse")), 235);
      expect(c.command("MAIL FROM:<alice@local.example> SMTPUTF8"), 250);
      expect(c.command("RCPT TO:<frïend@elsewhere.example>"), 250);
      expect(c.command("DATA"), 354);
      c.send("Subject: out\r\n\r\nhi\r\n.\r\n");
      expect(c.read(), 250);
    }
    Path spooled = server.spooled().get(0);
    assertEquals("UTF8SMTPSA", TestServer.spooledEnvelope(spooled).getString("protocol"));
    assertTrue(Files.readString(spooled, StandardCharsets.UTF_8).contains(" with UTF8SMTPSA id "));
  }

  @Test
  void senderRestriction() throws Exception {
    server.auth().put("restrictSender", true);
    server.start();
    try (SmtpTestClient c = secure()) {
      expect(c.command("AUTH PLAIN " + plain("alice", "correct horse")), 235);
      Reply refused = expect(c.command("MAIL FROM:<mallory@local.example>"), 553);
      assertEquals("5.7.1", refused.enhanced());
      expect(c.command("MAIL FROM:<Alice@other.example>"), 250);
      expect(c.command("RSET"), 250);
      expect(c.command("MAIL FROM:<alice@elsewhere.example>"), 553);
      expect(c.command("MAIL FROM:<>"), 250);
    }
    try (SmtpTestClient c = secure()) {
      expect(c.command("AUTH PLAIN " + plain("bob@local.example", "pw2")), 235);
      expect(c.command("MAIL FROM:<bob@other.example>"), 553);
      expect(c.command("MAIL FROM:<BOB@local.example>"), 250);
    }
  }

  @Test
  void theUsersFileIsReloadedWhenItChanges() throws Exception {
    server.auth().put("watchInterval", 0.05);
    server.start();
    CompletableFuture<Integer> reloaded = new CompletableFuture<>();
    PostinoInternals.auth(server.postino).reloadHandler(reloaded::complete);
    try (SmtpTestClient c = secure()) {
      expect(c.command("AUTH PLAIN " + plain("carol", "new")), 535);
    }
    server.addUser("carol", "new");
    assertEquals(3, reloaded.get(20, TimeUnit.SECONDS));
    assertEquals(3, server.postino.reloadUsers().await(), "the admin call");
    try (SmtpTestClient c = secure()) {
      expect(c.command("AUTH PLAIN " + plain("carol", "new")), 235);
    }
  }

  @Test
  void parallelSessionsFromOneAddressGetNoMoreChecksThanTheLimit() throws Exception {
    // a costlier hash than the other users': the checks of all sessions overlap
    UsersFile.put(dir.resolve("users"), "carol", UsersFile.hash("right", 10), null);
    server.auth().put("maxFailuresPerClient", 5);
    server.start();
    List<SmtpTestClient> sessions = new ArrayList<>();
    try {
      for (int i = 0; i < 25; i++) {
        sessions.add(secure());
      }
      for (SmtpTestClient c : sessions) {
        c.send("AUTH PLAIN " + plain("carol", "wrong") + "\r\n");
      }
      int checked = 0;
      int refused = 0;
      for (SmtpTestClient c : sessions) {
        Reply r = c.read();
        if (r.code() == 535) {
          checked++;
        } else {
          assertEquals("4.7.0", expect(r, 421).enhanced());
          refused++;
        }
      }
      // each 535 is a password checked; every other session was refused without a check
      assertEquals(5, checked);
      assertEquals(20, refused);
    } finally {
      for (SmtpTestClient c : sessions) {
        c.close();
      }
    }
  }

  @Test
  void aSuccessfulLoginGivesBackTheFailureCountedForIt() throws Exception {
    server.auth().put("maxFailuresPerClient", 1);
    server.start();
    for (int i = 0; i < 3; i++) {
      try (SmtpTestClient c = secure()) {
        expect(c.command("AUTH PLAIN " + plain("alice", "correct horse")), 235);
      }
    }
    try (SmtpTestClient c = secure()) {
      expect(c.command("AUTH PLAIN " + plain("alice", "wrong")), 535);
      expect(c.read(), 421);
    }
    try (SmtpTestClient c = secure()) {
      expect(c.command("AUTH PLAIN " + plain("alice", "correct horse")), 421);
    }
  }
}
