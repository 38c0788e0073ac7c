package io.postino.server;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.SmtpTestClient;
import io.postino.testing.SmtpTestClient.Reply;
import io.postino.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Limits of one session over a raw socket: what a correct client that goes past a limit gets, and
 * where an abusive one is cut off.
 */
class SessionLimitsTest {

  @TempDir
  Path dir;
  TestServer server;

  @BeforeEach
  void setUp() {
    server = new TestServer(dir);
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  @Test
  void recipientsPastTheLimitGet452WithoutEndingTheSession() throws Exception {
    // 121 pipelined recipients against the default limits (100 recipients, 20 errors): 21 452s
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<a@b.example>"), 250);
      StringBuilder rcpts = new StringBuilder();
      for (int i = 0; i < 121; i++) {
        rcpts.append("RCPT TO:<u").append(i).append("@local.example>\r\n");
      }
      c.send(rcpts.toString());
      for (int i = 0; i < 100; i++) {
        expect(c.read(), 250);
      }
      for (int i = 100; i < 121; i++) {
        assertEquals("4.5.3", expect(c.read(), 452).enhanced());
      }
      expect(c.command("DATA"), 354);
      c.send("Subject: many\r\n\r\nhi\r\n.\r\n");
      expect(c.read(), 250);
      expect(c.command("QUIT"), 221);
    }
    assertEquals(100, server.nextInbound().getJsonArray("mailboxes").size());
  }
}
