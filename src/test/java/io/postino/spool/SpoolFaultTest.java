package io.postino.spool;

import io.postino.PostinoInternals;
import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.postino.bus.PolicyVerdict;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.SmtpTestClient.Reply;
import io.postino.testing.TestServer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Faults under a running server: a failed write or fsync of a message, a failed sync of a refused
 * message's removal, a missing {@code incoming} directory, and a data policy that takes its time.
 * Each time: the right reply, nothing acknowledged lost, nothing refused delivered, and the server
 * takes mail again once the fault is gone.
 */
class SpoolFaultTest {

  /** Large enough to be streamed through a temporary file rather than the journal. */
  private static final int STREAMED = 3 * SpoolJournal.MAX_MESSAGE_OCTETS;

  @TempDir
  Path dir;

  private TestServer server;
  private final InjectedFaults faults = new InjectedFaults();

  /** Fails every check at one point while armed. */
  private static final class InjectedFaults implements SpoolFaults {
    volatile Point point;

    @Override
    public void check(Point at, String queueId) throws IOException {
      if (at == point) {
        throw new IOException("Input/output error (injected at " + at + ")");
      }
    }
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private void start() {
    server = new TestServer(dir).start();
    PostinoInternals.spool(server.postino).injectFaults(faults);
  }

  @ParameterizedTest
  @CsvSource({"CONTENT_WRITE, 20", "CONTENT_WRITE, " + STREAMED, "MESSAGE_SYNC, 20", "MESSAGE_SYNC, " + STREAMED})
  void aFailedWriteOrFsyncIsA451AndNothingIsKept(SpoolFaults.Point point, int size) throws Exception {
    start();
    faults.point = point;
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData("a@b.example", "bob@local.example"), 354);
      c.send(message("lost", size));
      Reply refused = expect(c.read(), 451);
      assertEquals("4.3.0", refused.enhanced());
      assertEquals(List.of(), server.spooled());
      assertEquals(List.of(), TestServer.files(dir.resolve("spool").resolve("tmp")));

      // the fault is gone: the same session takes mail again, and only that message arrives
      faults.point = null;
      expect(c.command("MAIL FROM:<a@b.example>"), 250);
      expect(c.command("RCPT TO:<bob@local.example>"), 250);
      expect(c.command("DATA"), 354);
      c.send(message("kept", size));
      expect(c.read(), 250);
    }
    server.nextInbound();
    assertEquals(1, server.mailbox("local.example", "bob").size());
    assertNull(server.pollInbound(200));
  }

  @Test
  void aMissingIncomingDirectoryIsA451UntilItIsBack() throws Exception {
    start();
    Path incoming = dir.resolve("spool").resolve("incoming");
    Files.delete(incoming);
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData("a@b.example", "bob@local.example"), 354);
      c.send(message("nowhere to go", 20));
      assertEquals("4.3.0", expect(c.read(), 451).enhanced());

      Files.createDirectory(incoming);
      expect(c.command("MAIL FROM:<a@b.example>"), 250);
      expect(c.command("RCPT TO:<bob@local.example>"), 250);
      expect(c.command("DATA"), 354);
      c.send(message("back again", 20));
      expect(c.read(), 250);
    }
    server.nextInbound();
    assertEquals(1, server.mailbox("local.example", "bob").size());
  }

  @Test
  void aRefusalIsNotGivenUntilTheRemovalIsDurable() throws Exception {
    start();
    refuseEverything();
    faults.point = SpoolFaults.Point.SPOOL_SYNC;
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData("a@b.example", "bob@local.example"), 354);
      c.send(message("spam", 20));
      // the removal may not survive a power loss: the client must not hear "refused for good"
      assertEquals("4.3.0", expect(c.read(), 451).enhanced());
    }
    server.postino.queue().flush().await();
    assertNull(server.pollInbound(500));

    faults.point = null;
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData("a@b.example", "bob@local.example"), 354);
      c.send(message("spam", 20));
      expect(c.read(), 554);
    }
    // a restart on the same spool brings neither back
    server.close();
    server = new TestServer(dir).start();
    server.postino.queue().flush().await();
    assertNull(server.pollInbound(500));
    assertEquals(List.of(), server.spooled());
    assertEquals(List.of(), server.mailbox("local.example", "bob"));
  }

  @Test
  void theQueueLeavesAMessageAloneWhileThePolicyJudgesIt() throws Exception {
    start();
    BlockingQueue<Message<JsonObject>> asked = new LinkedBlockingQueue<>();
    server.vertx.eventBus().<JsonObject>consumer("postino.policy.data", asked::add).completion().await();
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData("a@b.example", "bob@local.example"), 354);
      c.send(message("judge me", 20));
      Message<JsonObject> question = asked.poll(20, TimeUnit.SECONDS);
      // the message is in incoming and due: a scan now must not take it
      server.postino.queue().flush().await();
      assertNull(server.pollInbound(1000), "delivered before the policy's verdict");
      question.reply(PolicyVerdict.refuse(554, "5.7.1", "no").toJson());
      expect(c.read(), 554);
    }
    server.postino.queue().flush().await();
    assertNull(server.pollInbound(200));
    assertEquals(List.of(), server.mailbox("local.example", "bob"));
  }

  @Test
  void messagesRefusedAfterTheirContentWasSpooledNeverComeBack() throws Exception {
    server = new TestServer(dir);
    server.smtp().put("maxMessageSize", 2 * STREAMED);
    server.start();
    try (SmtpTestClient c = server.connect()) {
      // part of each is written to a temporary file before its end shows the problem
      expect(c.startData("a@b.example", "bob@local.example"), 354);
      c.send(message("too big", 3 * STREAMED));
      assertEquals("5.3.4", expect(c.read(), 552).enhanced());
      expect(c.command("MAIL FROM:<a@b.example>"), 250);
      expect(c.command("RCPT TO:<bob@local.example>"), 250);
      expect(c.command("DATA"), 354);
      c.send(message("bare LF", STREAMED).replace("Subject: bare LF\r\n\r\n", "Subject: bare LF\r\n\r\nx\ny\r\n"));
      assertEquals("5.6.0", expect(c.read(), 550).enhanced());
    }
    server.close();
    server = new TestServer(dir).start();
    server.postino.queue().flush().await();
    assertNull(server.pollInbound(500));
    assertEquals(List.of(), server.spooled());
    assertEquals(List.of(), TestServer.files(dir.resolve("spool").resolve("tmp")));
  }

  private void refuseEverything() {
    server.vertx.eventBus().<JsonObject>consumer("postino.policy.data",
        m -> m.reply(PolicyVerdict.refuse(554, "5.7.1", "no").toJson())).completion().await();
  }

  private static String message(String subject, int size) {
    StringBuilder b = new StringBuilder("Subject: ").append(subject).append("\r\n\r\n");
    while (b.length() < size) {
      b.append("0123456789012345678901234567890123456789012345678901234567890123456789\r\n");
    }
    return b.append(".\r\n").toString();
  }
}
