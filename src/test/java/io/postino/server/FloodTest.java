package io.postino.server;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.SmtpTestClient;
import io.postino.testing.WithTestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Floods of bytes without a line end, which the server refuses and discards read by read: the
 * flooding client still gets its reply at the end, its session goes on, and other sessions are
 * answered meanwhile.
 */
class FloodTest extends WithTestServer {

  private static final int CHUNK = 64 * 1024;

  /** {@code total} octets of {@code fill} in reads of up to 64 KiB, the last one ending in {@code tail}. */
  private static void flood(SmtpTestClient c, long total, byte fill, String tail) throws Exception {
    byte[] chunk = new byte[CHUNK];
    Arrays.fill(chunk, fill);
    for (long sent = 0; sent < total; sent += CHUNK) {
      c.sendBytes(total - sent >= CHUNK ? chunk : Arrays.copyOf(chunk, (int) (total - sent)));
    }
    c.send(tail);
  }

  @Test
  void aCommandLineOfMegabytesGets500AndItsSessionGoesOn() throws Exception {
    server.start();
    try (SmtpTestClient c = server.connect(); SmtpTestClient other = server.connect()) {
      expect(c.command("EHLO flood.example"), 250);
      // 4 MiB of one line: many reads, each discarded as it comes
      c.send("NOOP ");
      flood(c, 4L * 1024 * 1024, (byte) 'x', "");
      // another session is answered while the line is still unfinished
      expect(other.command("EHLO other.example"), 250);
      expect(other.command("NOOP"), 250);
      // the tail of the line must not run as a command of its own
      c.send(" QUIT\r\n");
      assertEquals("5.5.2", expect(c.read(), 500).enhanced());
      expect(c.command("NOOP"), 250);
      expect(c.command("MAIL FROM:<a@b.example>"), 250);
      expect(other.command("QUIT"), 221);
    }
  }

  @Test
  void contentPastTheSizeLimitIsDiscardedUntilTheDotAndGets552() throws Exception {
    server.smtp().put("maxMessageSize", 256 * 1024);
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData("a@b.example", "bob@local.example"), 354);
      // past the limit in the first reads, then discarded read after read, below the discard limit
      flood(c, 480 * 1024, (byte) 'y', "\r\n.\r\n");
      assertEquals("5.3.4", expect(c.read(), 552).enhanced());
      // the session goes on: the next message is taken
      expect(c.command("MAIL FROM:<a@b.example>"), 250);
      expect(c.command("RCPT TO:<bob@local.example>"), 250);
      expect(c.command("DATA"), 354);
      c.send("Subject: after the flood\r\n\r\nsmall\r\n.\r\n");
      expect(c.read(), 250);
    }
    server.nextInbound();
    List<Path> mailbox = server.mailbox("local.example", "bob");
    assertEquals(1, mailbox.size());
    assertTrue(Files.readString(mailbox.get(0), StandardCharsets.UTF_8).contains("after the flood"));
  }
}
