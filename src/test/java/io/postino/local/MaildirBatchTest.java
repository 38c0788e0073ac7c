package io.postino.local;

import static io.postino.spool.SpoolTesting.await;
import static io.postino.spool.SpoolTesting.envelope;
import static io.postino.spool.SpoolTesting.store;
import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.smtp.MailAddress;
import io.postino.spool.Spool;
import io.postino.spool.SpooledMessage;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Maildir deliveries made durable together ({@link MaildirCommitter}), the mailbox directories
 * remembered between deliveries ({@link MailboxDirectories}), and idempotency across a restart.
 */
@ExtendWith(VertxExtension.class)
class MaildirBatchTest {

  private static final Instant RECEIVED = Instant.parse("2026-01-02T03:04:05Z");
  private static final MailAddress BOB = new MailAddress("bob", "example.com");

  @TempDir
  Path dir;

  @Test
  void copiesAskedForTogetherShareOneFsyncOfTheirNewDirectoryPerBatch(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir.resolve("spool")));
    MaildirDelivery maildir = new MaildirDelivery(vertx, dir.resolve("maildir"), "mx.test.example");
    int n = 300;
    List<SpooledMessage> messages = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      messages.add(await(store(vertx.getOrCreateContext(), spool, envelope(spool.newQueueId(), RECEIVED, BOB),
          ("Subject: " + i + "\r\n\r\nbody " + i + "\r\n").getBytes(StandardCharsets.US_ASCII))));
    }

    // all asked for in one event-loop turn: the first forms a batch of its own, the others wait
    // for it and then go in batches of at most MAX_BATCH
    Promise<List<Path>> all = Promise.promise();
    vertx.runOnContext(v -> {
      List<Future<Path>> copies = new ArrayList<>();
      messages.forEach(m -> copies.add(maildir.deliver(m, BOB, "localhost")));
      Future.all(copies).map(c -> copies.stream().map(Future::result).toList()).onComplete(all);
    });
    List<Path> delivered = await(all.future());

    Path mailbox = dir.resolve("maildir").resolve("example.com").resolve("bob");
    assertEquals(n, TestServer.files(mailbox.resolve("new")).size());
    assertEquals(n, delivered.stream().distinct().count());
    assertEquals(List.of(), TestServer.files(mailbox.resolve("tmp")));
    for (int i = 0; i < n; i++) {
      assertTrue(Files.readString(delivered.get(i)).endsWith("body " + i + "\r\n"));
    }
    int batches = 1 + (n - 1 + MaildirCommitter.MAX_BATCH - 1) / MaildirCommitter.MAX_BATCH;
    assertEquals(batches, maildir.directorySyncs(), "one fsync of new/ per batch");
  }

  @Test
  void manyConcurrentSessionsToOneMailboxDeliverEachMessageExactlyOnce() throws Exception {
    int sessions = 8;
    int perSession = 25;
    try (TestServer server = new TestServer(dir)) {
      server.start();
      ConcurrentLinkedQueue<String> queued = new ConcurrentLinkedQueue<>();
      ExecutorService clients = Executors.newFixedThreadPool(sessions);
      List<java.util.concurrent.Future<?>> done = new ArrayList<>();
      for (int s = 0; s < sessions; s++) {
        int session = s;
        done.add(clients.submit(() -> {
          try (SmtpTestClient c = server.connect()) {
            expect(c.command("EHLO client.example"), 250);
            for (int m = 0; m < perSession; m++) {
              expect(c.command("MAIL FROM:<alice@remote.example>"), 250);
              expect(c.command("RCPT TO:<bob@local.example>"), 250);
              expect(c.command("DATA"), 354);
              c.send("Subject: " + session + "/" + m + "\r\n\r\nsession " + session + " message " + m + "\r\n.\r\n");
              String text = expect(c.read(), 250).text();
              queued.add(text.substring(text.indexOf("queued as ") + 10).trim());
            }
          }
          return null;
        }));
      }
      for (var f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
      clients.shutdown();
      int total = sessions * perSession;
      assertEquals(total, queued.size());
      TestServer.await("every message delivered and gone from the spool",
          () -> server.mailbox("local.example", "bob").size() >= total && server.spooled().isEmpty());

      Map<String, Integer> copies = new TreeMap<>();
      Pattern named = Pattern.compile("\\d+\\.P([0-9A-Za-z]+)R\\d+\\.mx\\.test\\.example");
      for (Path p : server.mailbox("local.example", "bob")) {
        Matcher m = named.matcher(p.getFileName().toString());
        assertTrue(m.matches(), p::toString);
        copies.merge(m.group(1), 1, Integer::sum);
      }
      Map<String, Integer> once = new TreeMap<>();
      queued.forEach(id -> once.put(id, 1));
      assertEquals(once, copies, "each accepted message exactly once in new/");
      Path mailbox = dir.resolve("maildir").resolve("local.example").resolve("bob");
      assertEquals(List.of(), TestServer.files(mailbox.resolve("tmp")));
    }
  }

  @Test
  void aMailboxRemovedByAnOperatorIsMadeAgain(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir.resolve("spool")));
    MaildirDelivery maildir = new MaildirDelivery(vertx, dir.resolve("maildir"), "mx.test.example");
    Path mailbox = dir.resolve("maildir").resolve("example.com").resolve("bob");
    await(maildir.deliver(message(vertx, spool, "first"), BOB, "localhost"));

    deleteTree(mailbox);
    Path second = await(maildir.deliver(message(vertx, spool, "second"), BOB, "localhost"));
    assertTrue(Files.readString(second).endsWith("second\r\n"));
    assertTrue(Files.isDirectory(mailbox.resolve("cur")));

    deleteTree(mailbox.resolve("tmp"));
    Path third = await(maildir.deliver(message(vertx, spool, "third"), BOB, "localhost"));
    assertTrue(Files.readString(third).endsWith("third\r\n"));

    deleteTree(mailbox.resolve("new"));
    Path fourth = await(maildir.deliver(message(vertx, spool, "fourth"), BOB, "localhost"));
    assertTrue(Files.readString(fourth).endsWith("fourth\r\n"));
    assertEquals(List.of(fourth), TestServer.files(mailbox.resolve("new")));
    assertEquals(List.of(), TestServer.files(mailbox.resolve("tmp")));
  }

  @Test
  void aCopyAPreviousRunMadeIsKeptAndNotMadeAgain(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir.resolve("spool")));
    SpooledMessage message = message(vertx, spool, "hello");
    Path delivered = await(new MaildirDelivery(vertx, dir.resolve("maildir"), "mx.test.example")
        .deliver(message, BOB, "localhost"));
    // what the earlier run left: its copy (the content stands for it) and a temporary file it
    // had not renamed yet
    Files.writeString(delivered, "the earlier copy\r\n");
    Path leftover = Files.writeString(delivered.getParent().resolveSibling("tmp").resolve("leftover"), "x");

    // a new process: nothing remembered about the mailbox, no copy in flight
    Path again = await(new MaildirDelivery(vertx, dir.resolve("maildir"), "mx.test.example")
        .deliver(message, BOB, "localhost"));

    assertEquals(delivered, again);
    assertEquals(List.of(delivered), TestServer.files(delivered.getParent()));
    assertEquals("the earlier copy\r\n", Files.readString(delivered), "the earlier copy must not be replaced");
    assertEquals(List.of(leftover), TestServer.files(leftover.getParent()));
  }

  @Test
  void aMessageStillQueuedAfterItsCopyWasMadeIsDeliveredOnceAtTheNextStart(Vertx vertx) throws Exception {
    // the state a crash leaves between the Maildir copy and the spool's removal of the message
    Spool spool = await(Spool.open(vertx, dir.resolve("spool")));
    MailAddress bob = new MailAddress("bob", "local.example");
    SpooledMessage message = await(store(vertx.getOrCreateContext(), spool,
        envelope(spool.newQueueId(), RECEIVED, bob), "Subject: once\r\n\r\nonce\r\n".getBytes(StandardCharsets.US_ASCII)));
    Path delivered = await(new MaildirDelivery(vertx, dir.resolve("maildir"), "mx.test.example")
        .deliver(message, bob, "local.example"));
    byte[] copy = Files.readAllBytes(delivered);
    await(spool.close());

    try (TestServer server = new TestServer(dir)) {
      server.start();
      assertEquals(message.queueId(), server.nextInbound().getString("queueId"));
      TestServer.await("the message leaves the spool", () -> server.spooled().isEmpty());
      assertEquals(List.of(delivered), server.mailbox("local.example", "bob"));
      assertTrue(java.util.Arrays.equals(copy, Files.readAllBytes(delivered)));
    }
  }

  private static SpooledMessage message(Vertx vertx, Spool spool, String body) throws Exception {
    return await(store(vertx.getOrCreateContext(), spool, envelope(spool.newQueueId(), RECEIVED, BOB),
        ("Subject: " + body + "\r\n\r\n" + body + "\r\n").getBytes(StandardCharsets.US_ASCII)));
  }

  private static void deleteTree(Path root) throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
