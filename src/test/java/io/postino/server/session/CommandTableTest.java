package io.postino.server.session;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.SmtpTestClient;
import io.postino.testing.SmtpTestClient.Reply;
import io.postino.testing.WithTestServer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The command table and the phases over raw sockets: which check answers first, where a session
 * stands after a refused BDAT chunk and after an AUTH response that is no proper line, and which
 * fixed answers count against the error budget.
 */
class CommandTableTest extends WithTestServer {

  @Test
  void aMissingFeatureIsNamedBeforeTheMissingHelo() throws Exception {
    server.tls().put("enabled", false);
    server.auth().put("enabled", false);
    server.start();
    try (SmtpTestClient c = server.connect()) {
      Reply auth = expect(c.command("AUTH PLAIN"), 503);
      assertTrue(auth.text().endsWith("Error: authentication not enabled"));
      assertEquals("5.5.1", expect(c.command("STARTTLS"), 502).enhanced());
      assertTrue(expect(c.command("MAIL FROM:<a@b.example>"), 503).text().endsWith("Error: send HELO/EHLO first"));
    }
  }

  @Test
  void aRefusedChunkBeforeHeloLeavesTheSessionWaitingForHelo() throws Exception {
    server.start();
    try (SmtpTestClient c = server.connect()) {
      c.send("BDAT 5 LAST\r\nhello");
      assertTrue(expect(c.read(), 503).text().endsWith("Error: need MAIL command"));
      assertTrue(expect(c.command("MAIL FROM:<a@b.example>"), 503).text().endsWith("Error: send HELO/EHLO first"));
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<a@b.example>"), 250);
    }
  }

  @Test
  void onlyExpnOfTheFixedAnswersCountsAsAnError() throws Exception {
    server.smtp().put("maxErrors", 3);
    server.start();
    try (SmtpTestClient c = server.connect()) {
      for (int i = 0; i < 3; i++) {
        expect(c.command("VRFY bob"), 252);
        expect(c.command("NOOP"), 250);
        expect(c.command("HELP"), 214);
      }
      expect(c.command("EXPN staff"), 502);
      expect(c.command("EXPN staff"), 502);
      expect(c.command("EXPN staff"), 502);
      assertEquals("4.7.0", expect(c.read(), 421).enhanced());
      assertTrue(c.closedByServer());
    }
  }

  @Test
  void anOverlongAuthResponseEndsTheExchangeAndItsRestIsNeverACommand() throws Exception {
    server.addUser("alice", "correct horse").start();
    try (SmtpTestClient c = server.connect()) {
      c.startTls();
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("AUTH PLAIN"), 334);
      // past RFC 4954's 12288 octets, then a command at the end of the same line
      c.send("A".repeat(13_000));
      c.send("QUIT\r\n");
      assertEquals("5.5.2", expect(c.read(), 500).enhanced());
      // the exchange is over: this is a command again, not a response
      expect(c.command("NOOP"), 250);
      String plain = Base64.getEncoder().encodeToString("\0alice\0correct horse".getBytes(StandardCharsets.UTF_8));
      expect(c.command("AUTH PLAIN " + plain), 235);
    }
  }
}
