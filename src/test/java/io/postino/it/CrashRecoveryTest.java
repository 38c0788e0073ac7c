package io.postino.it;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.ChildPostino;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "250 means it is on disk": the server runs in a separate JVM, is killed with SIGKILL right after
 * it says 250, and every acknowledged message is delivered after restart, exactly once.
 */
class CrashRecoveryTest {

  private static final int MESSAGES = 20;

  @TempDir
  Path dir;
  private final List<ChildPostino> processes = new ArrayList<>();

  @AfterEach
  void tearDown() throws InterruptedException {
    for (ChildPostino p : processes) {
      p.kill();
    }
  }

  /** Starts Postino in its own JVM and returns its SMTP port once it listens. */
  private int startServer(Path conf) throws Exception {
    ChildPostino p = ChildPostino.start(conf);
    processes.add(p);
    return p.port();
  }

  @Test
  void everyAcknowledgedMessageSurvivesKillDashNineAndIsDeliveredOnce() throws Exception {
    Path conf = ChildPostino.write(dir, ChildPostino.config(dir));

    int port = startServer(conf);
    Set<String> acknowledged = new HashSet<>();
    try (SmtpTestClient c = new SmtpTestClient(port)) {
      expect(c.read(), 220);
      expect(c.command("EHLO client.example"), 250);
      for (int i = 0; i < MESSAGES; i++) {
        c.send("MAIL FROM:<a@b.example>\r\nRCPT TO:<bob@local.example>\r\nDATA\r\n");
        expect(c.read(), 250);
        expect(c.read(), 250);
        expect(c.read(), 354);
        c.send("Subject: message " + i + "\r\n\r\nbody " + i + "\r\n.\r\n");
        String text = expect(c.read(), 250).text();
        acknowledged.add(text.substring(text.indexOf("queued as ") + 10).trim());
      }
      // the instant the last 250 is read, the server dies without any chance to clean up
      processes.get(0).kill();
    }
    assertEquals(MESSAGES, acknowledged.size());
    Path mailbox = dir.resolve("maildir").resolve("local.example").resolve("bob").resolve("new");
    // those not delivered are in the journal (a small message gets no file in incoming until it
    // needs one): the restart brings each back, checked below

    startServer(conf);
    TestServer.await("all delivered after restart", () ->
        TestServer.files(mailbox).size() >= MESSAGES
            && TestServer.files(dir.resolve("spool").resolve("incoming")).isEmpty());
    List<Path> files = TestServer.files(mailbox);
    assertEquals(MESSAGES, files.size(), "each message exactly once");
    Set<String> ids = new HashSet<>();
    for (Path f : files) {
      String mail = Files.readString(f, StandardCharsets.UTF_8);
      Matcher m = Pattern.compile("with ESMTP id (\\S+)").matcher(mail);
      assertTrue(m.find(), mail);
      ids.add(m.group(1));
    }
    assertEquals(acknowledged, ids);
  }
}
