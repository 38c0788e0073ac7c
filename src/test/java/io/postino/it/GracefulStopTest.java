package io.postino.it;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.ChildPostino;
import io.postino.testing.SmtpSink;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.SmtpTestClient.Reply;
import io.postino.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM as a service manager sends it, to Postino in a JVM of its own: new connections get
 * {@code 421 4.3.2}, idle sessions get it at once, a message being received may finish within
 * {@code shutdownGrace} (or is cut, and then never counted as accepted), a delivery under way
 * finishes and is recorded; the process exits 0. After a restart on the same spool nothing is
 * lost and nothing is sent twice.
 */
class GracefulStopTest {

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

  private ChildPostino start(JsonObject config) throws Exception {
    ChildPostino p = ChildPostino.start(ChildPostino.write(dir, config));
    processes.add(p);
    return p;
  }

  private List<Path> mailbox(String user) {
    return TestServer.files(dir.resolve("maildir").resolve("local.example").resolve(user).resolve("new"));
  }

  private List<Path> spooled() {
    return TestServer.files(dir.resolve("spool").resolve("incoming"));
  }

  private static void expectShuttingDown(Reply reply) {
    expect(reply, 421);
    assertEquals("4.3.2", reply.enhanced(), reply.toString());
  }

  @Test
  void aMessageInDataFinishesWithinTheGraceAndIsDeliveredOnceAfterTheRestart() throws Exception {
    JsonObject config = ChildPostino.config(dir).put("shutdownGrace", 60);
    ChildPostino first = start(config);
    try (SmtpTestClient sending = new SmtpTestClient(first.port());
        SmtpTestClient idle = new SmtpTestClient(first.port())) {
      expect(sending.read(), 220);
      expect(sending.startData("alice@local.example", "bob@local.example"), 354);
      sending.send("Subject: graceful\r\n\r\nfirst half\r\n");
      expect(idle.read(), 220);
      expect(idle.command("EHLO idle.example"), 250);

      first.terminate();
      // the idle session is told at once, and closed
      expectShuttingDown(idle.read());
      assertTrue(idle.closedByServer());
      // a new connection gets the same answer while the message is still arriving
      try (SmtpTestClient late = new SmtpTestClient(first.port())) {
        expectShuttingDown(late.read());
        assertTrue(late.closedByServer());
      }
      sending.send("second half\r\n.\r\n");
      expect(sending.read(), 250);
      expectShuttingDown(sending.read());
      assertTrue(sending.closedByServer());
    }
    assertEquals(0, first.exitCode(), first.output());
    assertTrue(first.output().contains("1 idle session(s) closed, 1 finished their message, 0 cut"), first.output());
    // stopped cleanly: the message kept in memory is in its own file, and no journal is left to replay
    assertEquals(1, spooled().size());
    assertEquals(List.of(), TestServer.files(dir.resolve("spool").resolve("journal")));

    start(config);
    TestServer.await("the message delivered after the restart", () -> mailbox("bob").size() == 1 && spooled().isEmpty());
    String delivered = Files.readString(mailbox("bob").get(0));
    assertTrue(delivered.contains("first half") && delivered.contains("second half"), delivered);
    assertEquals(1, mailbox("bob").size());
  }

  @Test
  void aMessageStillArrivingWhenTheGraceIsOverIsCutAndNeverAccepted() throws Exception {
    JsonObject config = ChildPostino.config(dir).put("shutdownGrace", 0.2);
    ChildPostino first = start(config);
    try (SmtpTestClient sending = new SmtpTestClient(first.port())) {
      expect(sending.read(), 220);
      expect(sending.startData("alice@local.example", "bob@local.example"), 354);
      sending.send("Subject: too slow\r\n\r\nfirst half\r\n");
      // the server has read the content so far (a NOOP would be content here): wait for its log
      first.terminate();
      expectShuttingDown(sending.read());
      assertTrue(sending.closedByServer());
    }
    assertEquals(0, first.exitCode(), first.output());
    assertTrue(first.output().contains("0 finished their message, 1 cut"), first.output());

    ChildPostino second = start(config);
    // a message sent after the restart is delivered: had the cut one been kept, it would come first
    try (SmtpTestClient c = new SmtpTestClient(second.port())) {
      expect(c.read(), 220);
      expect(c.startData("alice@local.example", "bob@local.example"), 354);
      c.send("Subject: after\r\n\r\nafter the restart\r\n.\r\n");
      expect(c.read(), 250);
    }
    TestServer.await("the later message delivered", () -> mailbox("bob").size() == 1 && spooled().isEmpty());
    assertTrue(Files.readString(mailbox("bob").get(0)).contains("after the restart"));
    assertEquals(1, mailbox("bob").size(), "the cut message was never accepted");
  }

  @Test
  void aDeliveryUnderWayFinishesAndIsRecordedSoTheRestartSendsNothingAgain() throws Exception {
    sink.start();
    JsonObject config = ChildPostino.config(dir).put("shutdownGrace", 60)
        .put("dns", new JsonObject()
            .put("servers", new JsonArray().add("127.0.0.1:1"))
            .put("routes", new JsonObject().put("a.test", "127.0.0.1:" + sink.port())))
        .put("queue", new JsonObject().put("minBackoff", 0.2).put("maxBackoff", 0.2).put("scanInterval", 0.05));
    ChildPostino first = start(config);
    var held = sink.hold("x@a.test");
    try (SmtpTestClient c = new SmtpTestClient(first.port())) {
      expect(c.read(), 220);
      expect(c.startData("alice@local.example", "x@a.test"), 354);
      c.send("Subject: in flight\r\n\r\nbody\r\n.\r\n");
      expect(c.read(), 250);
    }
    assertTrue(held.await(20, TimeUnit.SECONDS), "the delivery reached the destination");

    first.terminate();
    first.awaitOutput("stopping");
    // the destination answers while the server is stopping: the round ends and is recorded
    sink.release();
    assertEquals(0, first.exitCode(), first.output());
    assertTrue(first.output().contains("1 delivery round(s) finished, 0 abandoned"), first.output());
    assertTrue(spooled().isEmpty(), "recorded as delivered before the exit");

    ChildPostino second = start(config);
    // a second message after the restart: once it arrives, the first would have come before it
    try (SmtpTestClient c = new SmtpTestClient(second.port())) {
      expect(c.read(), 220);
      expect(c.startData("alice@local.example", "x@a.test"), 354);
      c.send("Subject: later\r\n\r\nbody\r\n.\r\n");
      expect(c.read(), 250);
    }
    TestServer.await("the later message delivered", () -> sink.received() == 2 && spooled().isEmpty());
    assertEquals(2, sink.received(), "the message in flight at the stop was delivered once");
  }
}
