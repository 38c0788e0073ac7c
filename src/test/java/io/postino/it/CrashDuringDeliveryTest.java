package io.postino.it;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.ChildPostino;
import io.postino.testing.SmtpSink;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outbound delivery survives SIGKILL: Postino runs in its own JVM and is killed while one
 * recipient of a message has been delivered (and recorded) and another is half-way (the
 * destination has the content but has not answered). After a restart: messages delivered before
 * the crash are not sent again, the recorded recipient is not sent again, and the one whose
 * answer never arrived is sent again: at-least-once, the documented contract.
 */
class CrashDuringDeliveryTest {

  @TempDir
  Path dir;
  private final SmtpSink sink = new SmtpSink();
  private final List<ChildPostino> processes = new ArrayList<>();

  @AfterEach
  void tearDown() throws InterruptedException {
    for (ChildPostino p : processes) {
      p.kill();
    }
    sink.close();
  }

  private static String send(int port, String subject, String... to) throws Exception {
    try (SmtpTestClient c = new SmtpTestClient(port)) {
      expect(c.read(), 220);
      expect(c.startData("alice@local.example", to), 354);
      c.send("Subject: " + subject + "\r\n\r\nbody of " + subject + "\r\n.\r\n");
      String text = expect(c.read(), 250).text();
      return text.substring(text.indexOf("queued as ") + 10).trim();
    }
  }

  /** The configuration file of the server: its static routes, and its retry delay in seconds. */
  private Path config(JsonObject routes, double backoff) throws IOException {
    return ChildPostino.write(dir, ChildPostino.config(dir)
        .put("dns", new JsonObject()
            .put("servers", new JsonArray().add("127.0.0.1:1"))
            .put("routes", routes))
        .put("queue", new JsonObject().put("minBackoff", backoff).put("maxBackoff", backoff).put("scanInterval", 0.05))
        .put("delivery", new JsonObject().put("commandTimeout", 20).put("dataTimeout", 20)));
  }

  /**
   * The journal is what makes a small message durable: its file in incoming is written without an
   * fsync of its own. Here the process is killed and then every such file is deleted, as a power
   * loss could have lost them; after a restart each message is delivered, whole and once.
   */
  @Test
  void messagesWhoseFilesALossTookComeBackFromTheJournal() throws Exception {
    // first no destination (connection refused, retried in an hour): the messages stay queued
    ChildPostino first = ChildPostino.start(config(new JsonObject().put("c.test", "127.0.0.1:1"), 3600));
    processes.add(first);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ids.add(send(first.port(), "lost-" + i, "x" + i + "@c.test"));
    }
    first.kill();
    Path incoming = dir.resolve("spool").resolve("incoming");
    // deferred, each got its file; one still being tried when the process died may have none yet
    // (kept in memory, as the journal has it): lost like the others
    assertTrue(TestServer.files(incoming).size() <= 10);
    for (Path file : TestServer.files(incoming)) {
      Files.delete(file);
    }
    assertTrue(TestServer.files(dir.resolve("spool").resolve("journal")).size() >= 1, "a journal segment");

    sink.start();
    ChildPostino second = ChildPostino.start(config(new JsonObject().put("c.test", "127.0.0.1:" + sink.port()), 0.2));
    processes.add(second);
    TestServer.await("every message delivered after the restart", () -> {
      List<Path> left = TestServer.files(incoming);
      return sink.received() >= 10 && left.isEmpty();
    });

    Map<String, Integer> copies = new HashMap<>();
    SmtpSink.Received r;
    while ((r = sink.poll(0)) != null) {
      String text = new String(r.data(), StandardCharsets.US_ASCII);
      String subject = text.replaceAll("(?s).*Subject: (\\S+).*", "$1");
      assertTrue(text.contains("body of " + subject), text);
      copies.merge(subject + " " + String.join(",", r.recipients()), 1, Integer::sum);
    }
    for (int i = 0; i < 10; i++) {
      assertEquals(1, copies.get("lost-" + i + " x" + i + "@c.test"), "each message once: " + copies);
    }
  }

  @Test
  void killedMidDeliveryEachRecipientIsDeliveredOnceOrRetried() throws Exception {
    sink.start();
    Path conf = config(new JsonObject()
        .put("a.test", "127.0.0.1:" + sink.port())
        .put("b.test", "127.0.0.1:" + sink.port()), 0.2);
    Path incoming = dir.resolve("spool").resolve("incoming");
    Path status = dir.resolve("spool").resolve("status");

    ChildPostino first = ChildPostino.start(conf);
    processes.add(first);
    List<String> before = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      before.add(send(first.port(), "before-" + i, "x" + i + "@a.test"));
    }
    TestServer.await("the first messages delivered and gone", () -> TestServer.files(incoming).isEmpty());

    var held = sink.hold("y@b.test");
    String split = send(first.port(), "split", "x@a.test", "y@b.test");
    assertTrue(held.await(20, TimeUnit.SECONDS), "y's delivery reached the destination");
    TestServer.await("x's delivery recorded", () -> {
      try {
        return Files.exists(status.resolve(split))
            && Files.readString(status.resolve(split)).contains("\"recipient\":\"x@a.test\",\"outcome\":\"delivered\"");
      } catch (IOException e) {
        return false;
      }
    });

    first.kill();
    // the destination answers y's delivery now, to a client that is gone
    sink.release();
    ChildPostino second = ChildPostino.start(conf);
    processes.add(second);
    TestServer.await("everything delivered after the restart",
        () -> TestServer.files(incoming).isEmpty() && TestServer.files(status).isEmpty());

    Map<String, Integer> copies = new HashMap<>();
    SmtpSink.Received r;
    while ((r = sink.poll(0)) != null) {
      String subject = new String(r.data(), StandardCharsets.US_ASCII).replaceAll("(?s).*Subject: (\\S+).*", "$1");
      for (String rcpt : r.recipients()) {
        copies.merge(subject + " " + rcpt, 1, Integer::sum);
      }
    }
    for (int i = 0; i < 5; i++) {
      assertEquals(1, copies.get("before-" + i + " x" + i + "@a.test"), "delivered before the crash: once " + copies);
    }
    assertEquals(1, copies.get("split x@a.test"), "recorded as delivered: never again " + copies);
    assertEquals(2, copies.get("split y@b.test"), "unanswered at the crash: delivered again " + copies);
  }
}
