package io.postino.server;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.SmtpTestClient;
import io.postino.testing.SmtpTestClient.Reply;
import io.postino.testing.TestServer;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Postino.close()} in an application's own Vert.x, with a BDAT message between its chunks:
 * the message may finish within the grace period, and is cut (never acknowledged, never stored)
 * when the grace period is over.
 */
class GracefulCloseTest {

  @TempDir
  Path dir;
  private TestServer server;

  @AfterEach
  void tearDown() {
    server.close();
  }

  private static void expectShuttingDown(Reply reply) {
    expect(reply, 421);
    assertEquals("4.3.2", reply.enhanced(), reply.toString());
  }

  /** A transaction whose first BDAT chunk is in: the message has its spool file. */
  private SmtpTestClient betweenChunks() throws Exception {
    SmtpTestClient c = server.connect();
    expect(c.command("EHLO client.example"), 250);
    expect(c.command("MAIL FROM:<alice@local.example>"), 250);
    expect(c.command("RCPT TO:<bob@local.example>"), 250);
    c.send("BDAT 20\r\nSubject: chunked\r\n\r\n");
    expect(c.read(), 250);
    return c;
  }

  @Test
  void aBdatMessageBetweenItsChunksFinishesWithinTheGrace() throws Exception {
    server = new TestServer(dir).start();
    try (SmtpTestClient sending = betweenChunks()) {
      Future<Void> closed = server.postino.close(Duration.ofSeconds(60));
      try (SmtpTestClient late = new SmtpTestClient(server.port())) {
        expectShuttingDown(late.read());
      }
      assertFalse(closed.isComplete(), "the message under way holds the stop");
      sending.send("BDAT 14 LAST\r\nsecond chunk\r\n");
      String queued = expect(sending.read(), 250).text();
      expectShuttingDown(sending.read());
      assertTrue(sending.closedByServer());
      closed.await();
      String id = queued.substring(queued.indexOf("queued as ") + 10).trim();
      assertTrue(server.spooled().stream().anyMatch(p -> p.getFileName().toString().startsWith(id)),
          "accepted, and left in the spool for the next start: " + server.spooled());
    }
  }

  @Test
  void aBdatMessageStillUnfinishedWhenTheGraceIsOverIsCut() throws Exception {
    server = new TestServer(dir).start();
    try (SmtpTestClient sending = betweenChunks()) {
      server.postino.close(Duration.ofMillis(100)).await();
      expectShuttingDown(sending.read());
      assertTrue(sending.closedByServer());
    }
    assertTrue(server.spooled().isEmpty(), "nothing acknowledged, nothing stored: " + server.spooled());
    assertTrue(server.mailbox("local.example", "bob").isEmpty());
  }
}
