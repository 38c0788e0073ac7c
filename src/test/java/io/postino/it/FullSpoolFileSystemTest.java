package io.postino.it;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.postino.testing.LoopMount;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.SmtpTestClient.Reply;
import io.postino.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spool's file system fills up: a real one, a small ext4 image mounted through a loop device
 * (needs root and mkfs.ext4; skipped with a message otherwise). The client is told to try again
 * ({@code 452 4.3.1}, as Postfix says), nothing half-written is kept, and mail is taken again once
 * there is room.
 */
class FullSpoolFileSystemTest {

  @TempDir
  Path dir;

  @Test
  void aFullSpoolIsATemporaryRefusalAndMailFlowsOnceThereIsRoom() throws Exception {
    try (LoopMount disk = LoopMount.ext4(dir, 16L << 20)) {
      TestServer server = new TestServer(dir);
      try {
        // no free-space reserve: this test is about a disk that fills up between MAIL and the final dot
        server.config.getJsonObject("spool").put("directory", disk.mountPoint.resolve("spool").toString())
            .put("minFreeSpace", 0);
        server.start();
        Path filler = disk.fill();
        try (SmtpTestClient c = server.connect()) {
          expect(c.startData("a@b.example", "bob@local.example"), 354);
          c.send(message("no room", 1000));
          Reply full = expect(c.read(), 452);
          assertEquals("4.3.1", full.enhanced());
          assertEquals(List.of(), server.spooled());

          Files.delete(filler);
          expect(c.command("MAIL FROM:<a@b.example>"), 250);
          expect(c.command("RCPT TO:<bob@local.example>"), 250);
          expect(c.command("DATA"), 354);
          c.send(message("room again", 1000));
          expect(c.read(), 250);
        }
        server.nextInbound();
        assertEquals(1, server.mailbox("local.example", "bob").size());
      } finally {
        // before the unmount, which detaches lazily if the closed server's files are not all released yet
        server.close();
      }
    }
  }

  private static String message(String subject, int size) {
    StringBuilder b = new StringBuilder("Subject: ").append(subject).append("\r\n\r\n");
    while (b.length() < size) {
      b.append("0123456789012345678901234567890123456789\r\n");
    }
    return b.append(".\r\n").toString();
  }
}
