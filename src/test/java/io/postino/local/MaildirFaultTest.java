package io.postino.local;

import static io.postino.spool.SpoolTesting.await;
import static io.postino.spool.SpoolTesting.awaitFailure;
import static io.postino.spool.SpoolTesting.envelope;
import static io.postino.spool.SpoolTesting.store;
import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.spool.Spool;
import io.postino.spool.SpooledMessage;
import io.postino.smtp.MailAddress;
import io.postino.testing.LoopMount;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Maildir delivery on a file system that fails: a loop-mounted 8 MiB ext4 image (skipped where it
 * cannot be mounted) that fills up, or that is shut down so that everything on it fails with EIO.
 * Either must defer the delivery, never bounce it, leave no partial copy behind in {@code tmp/}
 * and, once space is freed or the file system mounted again, the retry must deliver the message
 * exactly once.
 */
class MaildirFaultTest {

  private static final Instant RECEIVED = Instant.parse("2026-01-02T03:04:05Z");

  @TempDir
  static Path work;

  private static LoopMount disk;

  @BeforeAll
  static void mount() throws Exception {
    disk = LoopMount.ext4(work, 8L << 20);
  }

  @AfterAll
  static void unmount() throws Exception {
    if (disk != null) {
      disk.close();
    }
  }

  @Test
  void fullDiskFailsLeavingNoPartialCopyAndTheRetryDeliversOnce(@TempDir Path spoolDir) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Spool spool = await(Spool.open(vertx, spoolDir));
      Path root = disk.mountPoint.resolve("direct");
      MaildirDelivery maildir = new MaildirDelivery(vertx, root, "mx.test.example");
      MailAddress bob = new MailAddress("bob", "example.com");
      byte[] big = randomBytes(1 << 20);
      SpooledMessage first = await(store(vertx.getOrCreateContext(), spool,
          envelope(spool.newQueueId(), RECEIVED, bob), "Subject: small\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII)));
      SpooledMessage second = await(store(vertx.getOrCreateContext(), spool,
          envelope(spool.newQueueId(), RECEIVED, bob), big));
      Path mailbox = root.resolve("example.com").resolve("bob");
      // the mailbox exists before the disk fills, so the attempts below get as far as tmp/
      await(maildir.deliver(first, bob, "localhost"));

      Path filler = disk.fill();
      try {
        for (int attempt = 0; attempt < 3; attempt++) {
          Throwable failure = awaitFailure(maildir.deliver(second, bob, "localhost"));
          assertInstanceOf(IOException.class, failure);
          assertTrue(String.valueOf(failure.getMessage()).contains("No space left"), failure::toString);
          assertEquals(List.of(), TestServer.files(mailbox.resolve("tmp")), "partial copies left in tmp/");
          assertEquals(1, TestServer.files(mailbox.resolve("new")).size());
        }
      } finally {
        Files.delete(filler);
      }

      Path delivered = await(maildir.deliver(second, bob, "localhost"));
      Path again = await(maildir.deliver(second, bob, "localhost"));
      assertEquals(delivered, again);
      assertEquals(2, TestServer.files(mailbox.resolve("new")).size());
      assertEquals(List.of(), TestServer.files(mailbox.resolve("tmp")));
      byte[] bytes = Files.readAllBytes(delivered);
      assertArrayEquals(big, Arrays.copyOfRange(bytes, bytes.length - big.length, bytes.length));
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void fullMaildirDefersNeverBouncesAndDeliversOnceSpaceIsFreed(@TempDir Path serverDir) throws Exception {
    Path root = disk.mountPoint.resolve("server");
    try (TestServer server = new TestServer(serverDir)) {
      server.config.put("maildir", new JsonObject().put("root", root.toString()));
      server.start();
      Path mailbox = root.resolve("local.example").resolve("bob");
      send(server, "Subject: first\r\n\r\nhello\r\n");
      assertEquals("delivered", server.nextEventFor("bob@local.example").getString("event"));
      server.nextInbound();

      Path filler = disk.fill();
      String body = "Subject: second\r\n\r\n" + ("x".repeat(76) + "\r\n").repeat(12_000);
      String queueId;
      try {
        queueId = send(server, body);
        JsonObject deferred = server.nextEventFor("bob@local.example");
        assertEquals("deferred", deferred.getString("event"), deferred::encodePrettily);
        assertEquals(queueId, deferred.getString("queueId"));
        assertEquals(List.of(), TestServer.files(mailbox.resolve("tmp")), "partial copies left in tmp/");
        assertEquals(1, TestServer.files(mailbox.resolve("new")).size());
        assertEquals(1, server.spooled().size(), "the deferred message must stay queued");
      } finally {
        Files.delete(filler);
      }

      assertTrue(server.postino.queue().requeue(queueId).await());
      JsonObject delivered = server.nextEventFor("bob@local.example");
      assertEquals("delivered", delivered.getString("event"), delivered::encodePrettily);
      assertEquals(queueId, delivered.getString("queueId"));
      server.nextInbound();
      List<Path> copies = TestServer.files(mailbox.resolve("new")).stream()
          .filter(p -> p.getFileName().toString().contains(".P" + queueId + "R")).toList();
      assertEquals(1, copies.size(), copies::toString);
      assertTrue(Files.readString(copies.get(0)).endsWith(body), "the delivered copy is whole");
      assertEquals(List.of(), TestServer.files(mailbox.resolve("tmp")));
      TestServer.await("the message leaves the spool", () -> server.spooled().isEmpty());
    }
  }

  @Test
  void ioErrorsDeferNeverBounceAndTheRetryAfterTheRepairDeliversOnce(@TempDir Path serverDir) throws Exception {
    Path root = disk.mountPoint.resolve("eio");
    try (TestServer server = new TestServer(serverDir)) {
      server.config.put("maildir", new JsonObject().put("root", root.toString()));
      server.start();
      Path mailbox = root.resolve("local.example").resolve("bob");
      send(server, "Subject: first\r\n\r\nhello\r\n");
      assertEquals("delivered", server.nextEventFor("bob@local.example").getString("event"));
      server.nextInbound();

      String queueId;
      disk.shutDown();
      try {
        queueId = send(server, "Subject: second\r\n\r\nafter the disk failed\r\n");
        JsonObject deferred = server.nextEventFor("bob@local.example");
        assertEquals("deferred", deferred.getString("event"), deferred::encodePrettily);
        assertEquals(queueId, deferred.getString("queueId"));
        assertTrue(deferred.encode().contains("Input/output error"), deferred::encodePrettily);
        assertEquals(1, server.spooled().size(), "the deferred message must stay queued");
      } finally {
        disk.remount();
      }

      assertTrue(server.postino.queue().requeue(queueId).await());
      JsonObject delivered = server.nextEventFor("bob@local.example");
      assertEquals("delivered", delivered.getString("event"), delivered::encodePrettily);
      server.nextInbound();
      List<Path> copies = TestServer.files(mailbox.resolve("new")).stream()
          .filter(p -> p.getFileName().toString().contains(".P" + queueId + "R")).toList();
      assertEquals(1, copies.size(), copies::toString);
      assertTrue(Files.readString(copies.get(0)).endsWith("after the disk failed\r\n"));
      assertEquals(2, TestServer.files(mailbox.resolve("new")).size());
      assertEquals(List.of(), TestServer.files(mailbox.resolve("tmp")));
    }
  }

  /** One message from a remote sender to bob@local.example; returns its queue id. */
  private static String send(TestServer server, String content) throws IOException {
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData("alice@remote.example", "bob@local.example"), 354);
      c.send(content + ".\r\n");
      String text = expect(c.read(), 250).text();
      return text.substring(text.indexOf("queued as ") + 10).trim();
    }
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new Random(12).nextBytes(b);
    return b;
  }
}
