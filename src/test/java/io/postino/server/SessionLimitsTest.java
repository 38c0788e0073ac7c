package io.postino.server;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.SmtpTestClient;
import io.postino.testing.SmtpTestClient.Reply;
import io.postino.testing.TestServer;
import io.postino.testing.WithTestServer;
import org.junit.jupiter.api.Test;

/**
 * Limits of one session over a raw socket: what a correct client that goes past a limit gets, and
 * where an abusive one is cut off.
 */
class SessionLimitsTest extends WithTestServer {

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

  @Test
  void aRecipientGivenAgainInAnyCaseIsOneCopyButEachRcptCountsAgainstTheLimit() throws Exception {
    server.smtp().put("maxRecipients", 3);
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<a@b.example>"), 250);
      c.send("RCPT TO:<bob@local.example>\r\nRCPT TO:<BOB@Local.Example>\r\nRCPT TO:<bob@local.example>\r\n"
          + "RCPT TO:<alice@local.example>\r\n");
      for (int i = 0; i < 3; i++) {
        expect(c.read(), 250);
      }
      // as Postfix's smtpd_recipient_limit, the limit counts RCPT commands, not the copies they make
      assertEquals("4.5.3", expect(c.read(), 452).enhanced());
      expect(c.command("DATA"), 354);
      c.send("Subject: twice\r\n\r\nhi\r\n.\r\n");
      expect(c.read(), 250);
      expect(c.command("QUIT"), 221);
    }
    assertEquals(1, server.nextInbound().getJsonArray("mailboxes").size());
  }

  @Test
  void aHugeBdatChunkAfterASmallOneIsRefusedAndTheConnectionClosed() throws Exception {
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<a@b.example>"), 250);
      expect(c.command("RCPT TO:<bob@local.example>"), 250);
      c.send("BDAT 5\r\nhello");
      expect(c.read(), 250);
      // 5 + Long.MAX_VALUE wraps round to a negative total: it must not pass for "within the limit"
      c.send("BDAT 9223372036854775807 LAST\r\n");
      assertEquals("5.3.4", expect(c.read(), 552).enhanced());
      assertTrue(c.closedByServer());
    }
    TestServer.await("tmp emptied", () -> TestServer.files(dir.resolve("spool").resolve("tmp")).isEmpty());
    assertTrue(server.spooled().isEmpty());
  }

  @Test
  void aBdatSeriesPastTwiceTheLimitIsNotReadOn() throws Exception {
    server.smtp().put("maxMessageSize", 1000);
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<a@b.example>"), 250);
      expect(c.command("RCPT TO:<bob@local.example>"), 250);
      c.send("BDAT 900\r\n" + "x".repeat(900));
      expect(c.read(), 250);
      // 900 + 1500 is past twice the limit: refused before a byte of it is read, as DATA would be
      c.send("BDAT 1500\r\n");
      assertEquals("5.3.4", expect(c.read(), 552).enhanced());
      assertTrue(c.closedByServer());
    }
  }

  @Test
  void aBdatChunkOverTheLimitButWithinTwiceIsReadAndRefused() throws Exception {
    server.smtp().put("maxMessageSize", 1000);
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<a@b.example>"), 250);
      expect(c.command("RCPT TO:<bob@local.example>"), 250);
      c.send("BDAT 900\r\n" + "x".repeat(900));
      expect(c.read(), 250);
      c.send("BDAT 200 LAST\r\n" + "y".repeat(200));
      assertEquals("5.3.4", expect(c.read(), 552).enhanced());
      expect(c.command("NOOP"), 250);
    }
  }

  @Test
  void aClientDrippingContentIsCutSoonAfterTheGracePeriod() throws Exception {
    // each byte resets the idle timer and the data deadline is far: only the data rate can end this
    server.smtp().put("minDataRate", 1000).put("minDataRateGrace", 0.3).put("idleTimeout", 60).put("dataDeadline", 60);
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData("a@b.example", "bob@local.example"), 354);
      c.drip();
      assertEquals("4.4.2", expect(c.read(), 421).enhanced());
      assertTrue(c.closedByServer());
    }
    TestServer.await("tmp emptied", () -> TestServer.files(dir.resolve("spool").resolve("tmp")).isEmpty());
    assertTrue(server.spooled().isEmpty());
  }

  @Test
  void aClientDrippingABdatChunkIsCutToo() throws Exception {
    server.smtp().put("minDataRate", 1000).put("minDataRateGrace", 0.3).put("idleTimeout", 60).put("dataDeadline", 60);
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<a@b.example>"), 250);
      expect(c.command("RCPT TO:<bob@local.example>"), 250);
      c.send("BDAT 5\r\nhello");
      expect(c.read(), 250);
      c.send("BDAT 100000 LAST\r\n");
      c.drip();
      assertEquals("4.4.2", expect(c.read(), 421).enhanced());
      assertTrue(c.closedByServer());
    }
  }

  @Test
  void anHonestSlowLinkStillDeliversItsMessage() throws Exception {
    // 1 KiB every 50 ms is 20 times the minimum rate: it passes however long it takes
    server.smtp().put("minDataRate", 1000).put("minDataRateGrace", 1);
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData("a@b.example", "bob@local.example"), 354);
      c.send("Subject: slow\r\n\r\n");
      for (int i = 0; i < 40; i++) {
        c.send("y".repeat(1022) + "\r\n");
        Thread.sleep(50);
      }
      c.send(".\r\n");
      expect(c.read(), 250);
    }
    server.nextInbound();
  }

  @Test
  void anAnonymousAddressMayHoldOnlyItsBudgetOfUnfinishedMessages() throws Exception {
    server.untrusted();
    server.smtp().put("maxSpoolBytesPerClient", 1000);
    server.start();
    try (SmtpTestClient a = server.connect(); SmtpTestClient b = server.connect()) {
      // a holds 800 bytes of a message it has not finished
      expect(a.command("EHLO client.example"), 250);
      expect(a.command("MAIL FROM:<a@b.example>"), 250);
      expect(a.command("RCPT TO:<bob@local.example>"), 250);
      a.send("BDAT 800\r\n" + "x".repeat(800));
      expect(a.read(), 250);
      // b, from the same address: a declared size that does not fit is refused at MAIL
      expect(b.command("EHLO client.example"), 250);
      assertEquals("4.3.1", expect(b.command("MAIL FROM:<c@d.example> SIZE=300"), 452).enhanced());
      // undeclared, the message is refused once its content goes over, and not stored
      expect(b.command("MAIL FROM:<c@d.example>"), 250);
      expect(b.command("RCPT TO:<bob@local.example>"), 250);
      expect(b.command("DATA"), 354);
      b.send("y".repeat(298) + "\r\n.\r\n");
      assertEquals("4.3.1", expect(b.read(), 452).enhanced());
      // a finishes: the space is given back and b's next try fits
      a.send("BDAT 0 LAST\r\n");
      expect(a.read(), 250);
      expect(b.command("MAIL FROM:<c@d.example> SIZE=300"), 250);
      expect(b.command("RCPT TO:<bob@local.example>"), 250);
      expect(b.command("DATA"), 354);
      b.send("y".repeat(298) + "\r\n.\r\n");
      expect(b.read(), 250);
    }
    server.nextInbound();
    server.nextInbound();
    assertEquals(2, server.mailbox("local.example", "bob").size());
  }

  @Test
  void trustedClientsAreNotHeldToTheSpoolBudget() throws Exception {
    server.smtp().put("maxSpoolBytesPerClient", 1000);
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData("a@b.example", "bob@local.example"), 354);
      c.send("z".repeat(5000) + "\r\n.\r\n");
      expect(c.read(), 250);
    }
  }
}
