package io.postino.spool;

import static io.postino.spool.SpoolTesting.await;
import static io.postino.spool.SpoolTesting.envelope;
import static io.postino.spool.SpoolTesting.fileNames;
import static io.postino.spool.SpoolTesting.store;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.metrics.SpoolMeters;
import io.postino.smtp.MailAddress;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Journaled messages kept in memory instead of a file in {@code incoming} ({@link ResidentMessages}):
 * what the spool gives of them, their file written when needed, and no file ever written after a
 * removal took the message away.
 */
@ExtendWith(VertxExtension.class)
class ResidentMessagesTest {

  private static final Instant RECEIVED = Instant.parse("2026-01-02T03:04:05.678Z");
  private static final MailAddress ALICE = new MailAddress("alice", "example.com");

  @TempDir
  Path dir;

  private static byte[] content(String subject) {
    return ("Subject: " + subject + "\r\n\r\n\u00e9t\u00e9\r\n..dot\r\n").getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aJournaledMessageHasNoFileAndReadsBackFromMemory(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    byte[] content = content("kept");
    SpooledMessage message = await(store(vertx.getOrCreateContext(), spool,
        envelope(spool.newQueueId(), RECEIVED, ALICE), content));

    assertEquals(List.of(), fileNames(dir.resolve("incoming")), "no file written at the commit");
    assertTrue(spool.residents().contains(message.queueId()));
    ByteBuffer memory = message.content();
    assertNotNull(memory, "the committed message carries its content");
    byte[] bytes = new byte[memory.remaining()];
    memory.get(bytes);
    assertArrayEquals(content, bytes);

    SpooledMessage read = await(spool.read(message.queueId()));
    assertEquals(message, read);
    assertNotNull(read.content(), "read back from memory");
    assertEquals(1, await(spool.figures().census()).incoming(), "counted in incoming");
    assertEquals(List.of(message.queueId()), await(spool.due(Instant.now(), 10, Set.of(), false)).queueIds());
    assertEquals(List.of(), await(spool.due(Instant.now(), 10, Set.of(message.queueId()), false)).queueIds(),
        "busy ones are skipped");

    // a deferral gives it its file, with the retry time, and it is read from there from then on
    Instant retry = Instant.now().plusSeconds(3600);
    await(spool.setNextAttempt(message.queueId(), retry));
    assertFalse(spool.residents().contains(message.queueId()));
    assertEquals(retry.toEpochMilli() / 1000, Files.getLastModifiedTime(message.file()).toMillis() / 1000);
    SpooledMessage fromFile = await(spool.read(message.queueId()));
    assertEquals(message, fromFile);
    assertNull(fromFile.content());
    assertNull(message.content(), "the committed message reads its file from now on: the memory is free");
    assertEquals(0, spool.residents().octets(), "its memory is given back");
    assertEquals(List.of(), await(spool.due(Instant.now(), 10, Set.of(), false)).queueIds(), "due at its retry time");
  }

  @Test
  void aRemovalRacingAMaterializationLeavesNoFile(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    SpooledMessage message = await(store(vertx.getOrCreateContext(), spool,
        envelope(spool.newQueueId(), RECEIVED, ALICE), content("race")));
    String id = message.queueId();
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    spool.residents().onWrite(queueId -> {
      writing.countDown();
      try {
        release.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    AtomicReference<Throwable> failed = new AtomicReference<>();
    Thread materializer = new Thread(() -> {
      try {
        spool.residents().materialize(id, false);
      } catch (Throwable e) {
        failed.set(e);
      }
    }, "materializer");
    materializer.start();
    assertTrue(writing.await(20, TimeUnit.SECONDS));

    // the removal runs while the file is being written: it must wait for the write, then delete it
    var removed = spool.remove(message, true);
    awaitBlockedIn("forget");
    release.countDown();
    materializer.join(20_000);
    await(removed);

    assertNull(failed.get());
    assertFalse(Files.exists(message.file()), "a file written after its message's removal");
    assertFalse(spool.residents().contains(id));
    // the done record: a restart does not bring it back either
    SpoolTesting.crash(spool, dir);
    Spool reopened = await(Spool.open(vertx, dir));
    assertEquals(List.of(), fileNames(dir.resolve("incoming")));
    await(reopened.close());
  }

  @Test
  void forgettingAMessageTellsWhetherItsFileWasEverWritten(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    SpooledMessage kept = await(store(vertx.getOrCreateContext(), spool,
        envelope(spool.newQueueId(), RECEIVED, ALICE), content("kept")));
    SpooledMessage written = await(store(vertx.getOrCreateContext(), spool,
        envelope(spool.newQueueId(), RECEIVED, ALICE), content("written")));
    assertTrue(spool.residents().materialize(written.queueId(), false));

    // a removal deletes the file only of a message that had one
    assertTrue(spool.residents().forget(kept.queueId()), "still resident: it never had a file");
    assertFalse(spool.residents().forget(written.queueId()), "its file was written");
    assertFalse(spool.residents().forget(kept.queueId()), "forgotten already");
    assertEquals(List.of(written.queueId()), fileNames(dir.resolve("incoming")));
  }

  /** Waits until some thread is blocked in {@code ResidentMessages.<method>} (a lock held elsewhere). */
  private static void awaitBlockedIn(String method) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      for (var e : Thread.getAllStackTraces().entrySet()) {
        if (e.getKey().getState() == Thread.State.BLOCKED && List.of(e.getValue()).stream().anyMatch(f ->
            f.getClassName().equals(ResidentMessages.class.getName()) && f.getMethodName().equals(method))) {
          return;
        }
      }
      Thread.sleep(1);
    }
    throw new AssertionError("no thread blocked in ResidentMessages." + method);
  }

  @Test
  void aCheckpointWritesAndSyncsTheFilesOfItsResidents(Vertx vertx) throws Exception {
    SpoolFolders folders = new SpoolFolders(dir);
    // every append retires its segment: the batch's own checkpoint follows it
    SpoolJournal journal = SpoolRecovery.begin(folders, 1, Long.MAX_VALUE).journal();
    GroupCommitter committer = new GroupCommitter(vertx, folders.incoming, journal, SpoolMeters.none(),
        folders.residents);
    Set<String> materialized = ConcurrentHashMap.newKeySet();
    folders.residents.onWrite(materialized::add);
    String id = QueueIds.next();
    byte[] file = ("POSTINO1 2\n{}\n" + "Subject: checkpoint\r\n\r\nx\r\n").getBytes(StandardCharsets.US_ASCII);

    await(committer.commitJournaled(folders.incoming.resolve(id), new ByteBuffer[] {ByteBuffer.wrap(file)}));
    // waits for the checkpoint under way, then does whatever it left
    journal.checkpointRetired();

    assertEquals(Set.of(id), materialized, "the checkpoint wrote the resident's file");
    assertFalse(folders.residents.contains(id));
    assertArrayEquals(file, Files.readAllBytes(folders.incoming.resolve(id)));
    assertFalse(journal.isJournaled(id));
    assertEquals(List.of(), fileNames(folders.journal), "the segment was checkpointed and deleted");
  }

  @Test
  void pastTheBudgetMessagesGetTheirFileAtOnce(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    byte[] content = content("first");
    SpooledMessage first = await(store(vertx.getOrCreateContext(), spool,
        envelope(spool.newQueueId(), RECEIVED, ALICE), content));
    long octets = spool.residents().octets();
    assertTrue(octets > content.length, "the whole file is kept: " + octets);
    spool.residents().limit(octets + 10);

    SpooledMessage second = await(store(vertx.getOrCreateContext(), spool,
        envelope(spool.newQueueId(), RECEIVED, ALICE), content("second")));

    assertTrue(spool.residents().contains(first.queueId()));
    assertFalse(spool.residents().contains(second.queueId()));
    assertNull(second.content());
    assertEquals(List.of(second.queueId()), fileNames(dir.resolve("incoming")));
    assertEquals(second, await(spool.read(second.queueId())));

    // a removal gives the budget back
    await(spool.remove(first, true));
    assertEquals(0, spool.residents().octets());
    SpooledMessage third = await(store(vertx.getOrCreateContext(), spool,
        envelope(spool.newQueueId(), RECEIVED, ALICE), content("third")));
    assertNotNull(third.content());
  }

  @Test
  void aMissingIncomingFailsTheCommitAndKeepsNothing(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    Path incoming = dir.resolve("incoming");
    Files.delete(incoming);
    SpoolTesting.awaitFailure(store(vertx.getOrCreateContext(), spool,
        envelope(spool.newQueueId(), RECEIVED, ALICE), content("lost")));
    assertEquals(0, spool.residents().size());
    Files.createDirectory(incoming);
    SpoolTesting.crash(spool, dir);
    await(Spool.open(vertx, dir));
    assertEquals(List.of(), fileNames(incoming), "the client was told it failed: it must not come back");
  }
}
