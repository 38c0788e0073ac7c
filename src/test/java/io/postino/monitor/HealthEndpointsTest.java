package io.postino.monitor;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.postino.testing.LoopMount;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /health/live} and {@code /health/ready} over HTTP, and the spool's free-space reserve at
 * MAIL. The tests run as root, whom file permissions do not stop: an unwritable spool is made by
 * putting a file where its {@code tmp} directory was, and a full one on a small loop-mounted ext4.
 */
class HealthEndpointsTest {

  @TempDir
  Path dir;

  private TestServer server;

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
  }

  private TestServer start(Path spool, long minFreeSpace) {
    server = new TestServer(dir);
    server.config.getJsonObject("spool").put("directory", spool.toString()).put("minFreeSpace", minFreeSpace);
    server.config.put("admin", new JsonObject().put("enabled", true).put("port", 0)
        .put("tokenFile", dir.resolve("admin.token").toString()));
    return server.start();
  }

  private JsonObject ready(int expectedStatus) {
    AdminHttp.Answer answer = AdminHttp.get(server.postino.adminPort(), "/health/ready");
    assertEquals(expectedStatus, answer.status(), answer.body());
    assertEquals("application/json", answer.contentType());
    return new JsonObject(answer.body());
  }

  private static String check(JsonObject ready, String id) {
    return ready.getJsonArray("checks").stream().map(JsonObject.class::cast)
        .filter(c -> c.getString("id").equals(id)).findFirst().orElseThrow().getString("status");
  }

  @Test
  void aRunningNodeIsLiveAndReady() {
    start(dir.resolve("spool"), 0);
    AdminHttp.Answer live = AdminHttp.get(server.postino.adminPort(), "/health/live");
    assertEquals(200, live.status());
    assertEquals("UP", new JsonObject(live.body()).getString("status"));
    JsonObject ready = ready(200);
    assertEquals("UP", ready.getString("status"));
    assertEquals("UP", check(ready, "listeners"));
    assertEquals("UP", check(ready, "spool"));
    assertEquals("UP", check(ready, "disk"));
  }

  @Test
  void aSpoolThatTakesNoWriteIsNotReadyUntilItDoesAgain() throws Exception {
    Path spool = dir.resolve("spool");
    start(spool, 0);
    Path tmp = spool.resolve("tmp");
    Path aside = Files.move(tmp, dir.resolve("tmp-aside"));
    Files.writeString(tmp, "not a directory");
    JsonObject ready = ready(503);
    assertEquals("DOWN", ready.getString("status"));
    assertEquals("DOWN", check(ready, "spool"));
    assertEquals("UP", check(ready, "listeners"));

    Files.delete(tmp);
    Files.move(aside, tmp);
    assertEquals("UP", ready(200).getString("status"));
  }

  @Test
  void belowTheReserveMailIsRefusedWith452AndTheNodeIsNotReady() throws Exception {
    // a reserve no disk has: the configurable threshold, where no loop device can be mounted
    start(dir.resolve("spool"), Long.MAX_VALUE / 2);
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      SmtpTestClient.Reply refused = expect(c.command("MAIL FROM:<a@b.example>"), 452);
      assertEquals("4.3.1", refused.enhanced());
    }
    assertEquals("DOWN", check(ready(503), "disk"));
  }

  @Test
  void aFillingDiskRefusesMailAtMailUntilThereIsRoomAgain() throws Exception {
    try (LoopMount disk = LoopMount.ext4(dir, 16L << 20)) {
      try {
        start(disk.mountPoint.resolve("spool"), 4L << 20);
        try (SmtpTestClient c = server.connect()) {
          expect(c.command("EHLO client.example"), 250);
          expect(c.command("MAIL FROM:<a@b.example>"), 250);
          expect(c.command("RSET"), 250);

          Path filler = disk.fill();
          // the readiness check measures the free space again, as the periodic measure would
          assertEquals("DOWN", check(ready(503), "disk"));
          SmtpTestClient.Reply refused = expect(c.command("MAIL FROM:<a@b.example>"), 452);
          assertEquals("4.3.1", refused.enhanced());

          Files.delete(filler);
          ready(200);
          expect(c.command("MAIL FROM:<a@b.example>"), 250);
          expect(c.command("RCPT TO:<bob@local.example>"), 250);
          expect(c.command("DATA"), 354);
          expect(c.send("Subject: room again\r\n\r\nroom\r\n.\r\n").read(), 250);
        }
        server.nextInbound();
      } finally {
        // before the unmount, which detaches lazily if the closed server's files are not all released yet
        if (server != null) {
          server.close();
          server = null;
        }
      }
    }
  }
}
