package io.postino.it;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.postino.testing.SmtpTestClient;
import io.postino.testing.SmtpTestClient.Reply;
import io.postino.testing.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
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
    Path image = dir.resolve("spool.img");
    Path mount = dir.resolve("mnt");
    Files.createDirectory(mount);
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
      f.setLength(16L << 20);
    }
    String mkfs = run("mkfs.ext4", "-q", "-F", "-m", "0", image.toString());
    Assumptions.assumeTrue(mkfs == null, () -> "cannot make an ext4 image: " + mkfs);
    String mounted = run("mount", "-o", "loop", image.toString(), mount.toString());
    Assumptions.assumeTrue(mounted == null, () -> "cannot mount a loop image (needs root): " + mounted);
    TestServer server = new TestServer(dir);
    try {
      server.config.getJsonObject("spool").put("directory", mount.resolve("spool").toString());
      server.start();
      Path filler = mount.resolve("filler");
      fill(filler);
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
      server.close();
      // lazily: the closed server's files may not all be released yet; the loop device goes with them
      run("umount", "-l", mount.toString());
    }
  }

  /** Writes until the file system refuses even one octet: every block taken. */
  private static void fill(Path filler) throws IOException {
    try (OutputStream out = Files.newOutputStream(filler)) {
      for (int size = 1 << 16; size > 0; size /= 2) {
        byte[] block = new byte[size];
        try {
          while (true) {
            out.write(block);
          }
        } catch (IOException e) {
          if (!String.valueOf(e.getMessage()).contains("No space left")) {
            throw e;
          }
        }
      }
    }
  }

  /** Runs a command; null when it succeeded, else what it said. */
  private static String run(String... command) throws InterruptedException {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return String.join(" ", command) + ": timed out";
      }
      return p.exitValue() == 0 ? null : String.join(" ", command) + ": " + out.strip();
    } catch (IOException e) {
      return String.join(" ", command) + ": " + e.getMessage();
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
