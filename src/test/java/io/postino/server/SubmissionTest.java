package io.postino.server;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.SmtpTestClient;
import io.postino.testing.SmtpTestClient.Reply;
import io.postino.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The submission port (RFC 6409) and its implicit-TLS twin (RFC 8314): AUTH before MAIL, TLS before
 * AUTH, and the Message-ID and Date fields added to what clients submit.
 */
class SubmissionTest {

  private static final String AUTH_ALICE = "AUTH PLAIN "
      + Base64.getEncoder().encodeToString("\0alice\0pw".getBytes(StandardCharsets.UTF_8));

  @TempDir
  Path dir;
  TestServer server;

  @BeforeEach
  void setUp() {
    server = new TestServer(dir).withSubmission().withSmtps().addUser("alice", "pw").start();
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  private SmtpTestClient submission() throws Exception {
    SmtpTestClient c = new SmtpTestClient(server.submissionPort());
    expect(c.read(), 220);
    return c;
  }

  private String deliveredTo(String user) throws Exception {
    server.nextInbound();
    return Files.readString(server.mailbox("local.example", user).get(0), StandardCharsets.UTF_8);
  }

  @Test
  void mailNeedsAuthEvenFromATrustedNetwork() throws Exception {
    try (SmtpTestClient c = submission()) {
      Reply ehlo = expect(c.command("EHLO client.example"), 250);
      assertTrue(ehlo.text().contains("STARTTLS"), ehlo.text());
      assertFalse(ehlo.text().contains("AUTH"), "TLS before AUTH: " + ehlo);
      assertEquals("5.7.0", expect(c.command("MAIL FROM:<alice@local.example>"), 530).enhanced());
      expect(c.command(AUTH_ALICE), 538);
      c.startTls();
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<alice@local.example>"), 530);
      expect(c.command(AUTH_ALICE), 235);
      expect(c.command("MAIL FROM:<alice@local.example>"), 250);
    }
  }

  @Test
  void missingMessageIdAndDateAreAdded() throws Exception {
    try (SmtpTestClient c = submission()) {
      c.startTls();
      expect(c.command("EHLO client.example"), 250);
      expect(c.command(AUTH_ALICE), 235);
      expect(c.command("MAIL FROM:<alice@local.example>"), 250);
      expect(c.command("RCPT TO:<bob@local.example>"), 250);
      expect(c.command("DATA"), 354);
      c.send("From: alice@local.example\r\nSubject: no id\r\n\r\nbody\r\n.\r\n");
      String queued = expect(c.read(), 250).text();
      String id = queued.substring(queued.indexOf("queued as ") + 10).trim();
      String mail = deliveredTo("bob");
      Matcher m = Pattern.compile("\r\nFrom: alice@local\\.example\r\nSubject: no id\r\n"
          + "Message-ID: <" + id + "@mx\\.test\\.example>\r\n"
          + "Date: \\w{3}, \\d{1,2} \\w{3} \\d{4} \\d\\d:\\d\\d:\\d\\d [+-]\\d{4}\r\n\r\nbody\r\n$").matcher(mail);
      assertTrue(m.find(), mail);
      assertTrue(mail.contains(" with ESMTPSA id " + id), mail);
    }
  }

  @Test
  void presentFieldsAreLeftAloneAndBdatWorksToo() throws Exception {
    try (SmtpTestClient c = submission()) {
      c.startTls();
      expect(c.command("EHLO client.example"), 250);
      expect(c.command(AUTH_ALICE), 235);
      expect(c.command("MAIL FROM:<alice@local.example>"), 250);
      expect(c.command("RCPT TO:<bob@local.example>"), 250);
      String content = "Date: Tue, 1 Jul 2025 10:00:00 +0000\r\nMessage-ID: <mine@client>\r\n\r\nbody\r\n";
      c.send("BDAT " + content.length() + " LAST\r\n" + content);
      expect(c.read(), 250);
      assertTrue(deliveredTo("bob").endsWith("\r\n" + content));
    }
  }

  @Test
  void theSmtpPortLeavesHeadersAlone() throws Exception {
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData("a@b.example", "bob@local.example"), 354);
      c.send("Subject: as is\r\n\r\nbody\r\n.\r\n");
      expect(c.read(), 250);
      String mail = deliveredTo("bob");
      assertFalse(mail.contains("Message-ID:"), mail);
      assertTrue(mail.endsWith("\r\nSubject: as is\r\n\r\nbody\r\n"), mail);
    }
  }

  @Test
  void implicitTlsSubmission() throws Exception {
    try (SmtpTestClient c = server.connectSmtps()) {
      assertTrue(c.tlsSession().getProtocol().startsWith("TLSv1."));
      Reply ehlo = expect(c.command("EHLO client.example"), 250);
      assertFalse(ehlo.lines().contains("250-STARTTLS"), ehlo.text());
      assertTrue(ehlo.lines().contains("250-AUTH PLAIN LOGIN"), ehlo.text());
      expect(c.command("STARTTLS"), 503);
      expect(c.command("MAIL FROM:<alice@local.example>"), 530);
      expect(c.command(AUTH_ALICE), 235);
      expect(c.startData("alice@local.example", "bob@local.example"), 354);
      c.send("Subject: over 465\r\n\r\nhi\r\n.\r\n");
      expect(c.read(), 250);
      String mail = deliveredTo("bob");
      // the login name stays out of the header by default (auth.authenticatedHeader)
      assertFalse(mail.contains("Authenticated sender"), mail);
      assertTrue(mail.contains(" with ESMTPSA id "), mail);
      assertTrue(mail.contains("Message-ID: <"), mail);
    }
  }

  @Test
  void aPlaintextClientOnTheImplicitTlsPortIsDisconnected() throws Exception {
    try (SmtpTestClient c = new SmtpTestClient(server.smtpsPort())) {
      c.send("EHLO client.example\r\n");
      String got = new String(c.readUntilClosed(), StandardCharsets.ISO_8859_1);
      assertFalse(got.contains("250"), got);
    }
    try (SmtpTestClient c = server.connectSmtps()) {
      expect(c.command("NOOP"), 250);
    }
  }
}
