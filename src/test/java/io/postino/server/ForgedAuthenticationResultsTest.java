package io.postino.server;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.SmtpTestClient;
import io.postino.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 8601 section 5 over SMTP: an {@code Authentication-Results:} field that claims this server's
 * name ({@code mx.test.example}) is removed from a message as it streams into the spool, whether it
 * comes with DATA or split across BDAT chunks; another server's stays, as does the body.
 */
class ForgedAuthenticationResultsTest {

  private static final String REST = "From: Mallory <ceo@bank.example>\r\n"
      + "Authentication-Results: relay.example; spf=pass smtp.mailfrom=bank.example\r\n"
      + "Subject: wire the money\r\n"
      + "\r\n"
      + "Authentication-Results: mx.test.example; quoted in the body, left alone\r\n";

  @TempDir
  Path dir;
  TestServer server;

  @BeforeEach
  void setUp() {
    server = new TestServer(dir).start();
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  private String delivered() throws Exception {
    String path = server.nextInbound().getJsonArray("mailboxes").getJsonObject(0).getString("path");
    return Files.readString(Path.of(path), StandardCharsets.ISO_8859_1);
  }

  @Test
  void aForgedPassIsRemovedWithData() throws Exception {
    String forged = "Authentication-Results: MX.TEST.EXAMPLE;\r\n\tdkim=pass header.d=bank.example\r\n";
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.startData("ceo@bank.example", "bob@local.example"), 354);
      expect(c.command(forged + REST + "."), 250);
    }
    String text = delivered();
    assertTrue(!text.contains("dkim=pass"), text);
    assertTrue(text.endsWith(REST), text);
  }

  @Test
  void aForgedPassSplitAcrossBdatChunksIsRemoved() throws Exception {
    String message = "Authentication-Results: (trust me) mx.test.example; dkim=pass\r\n" + REST;
    int split = message.indexOf("test");
    String first = message.substring(0, split);
    String last = message.substring(split);
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<ceo@bank.example>"), 250);
      expect(c.command("RCPT TO:<bob@local.example>"), 250);
      c.send("BDAT " + first.length() + "\r\n" + first);
      expect(c.read(), 250);
      c.send("BDAT " + last.length() + " LAST\r\n" + last);
      expect(c.read(), 250);
    }
    String text = delivered();
    assertTrue(!text.contains("dkim=pass"), text);
    assertTrue(text.endsWith(REST), text);
  }

  @Test
  void anotherServersResultsStay() throws Exception {
    String theirs = "Authentication-Results: mx.other.example; dkim=pass header.d=bank.example\r\n";
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.startData("ceo@bank.example", "bob@local.example"), 354);
      expect(c.command(theirs + REST + "."), 250);
    }
    String text = delivered();
    assertEquals(theirs + REST, text.substring(text.indexOf("Authentication-Results: mx.other")));
  }
}
