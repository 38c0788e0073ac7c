package io.postino.spool;

import static io.postino.spool.SpoolTesting.await;
import static io.postino.spool.SpoolTesting.envelope;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.smtp.MailAddress;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Removals asked for together are done in batches ({@link SpoolRemovals}), each keeping its own outcome. */
@ExtendWith(VertxExtension.class)
class SpoolRemovalsTest {

  private static final Instant RECEIVED = Instant.parse("2026-01-02T03:04:05Z");

  @TempDir
  Path dir;

  @Test
  void manyRemovalsAtOnceTakeEveryFileAndStatusFileAndSurviveARestart(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    List<SpooledMessage> messages = store(vertx, spool, SpoolRemovals.MAX_BATCH * 2 + 7);
    for (SpooledMessage m : messages) {
      await(spool.appendStatus(m.queueId(), "line\n", false));
    }

    List<Future<Void>> removed = removeInOneTurn(vertx, spool, messages, i -> i % 2 == 0);

    for (Future<Void> f : removed) {
      assertTrue(f.succeeded(), () -> String.valueOf(f.cause()));
    }
    assertEquals(List.of(), files(dir.resolve("incoming")));
    assertEquals(List.of(), files(dir.resolve("status")));
    SpoolTesting.crash(spool, dir);
    Spool again = await(Spool.open(vertx, dir));
    assertEquals(List.of(), files(dir.resolve("incoming")), "a done record for every one");
    await(again.close());
  }

  @Test
  void aFailedSyncFailsTheDurableRemovalsOfItsBatchOnlyAndKeepsTheirStatusFiles(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    List<SpooledMessage> messages = store(vertx, spool, 4);
    for (SpooledMessage m : messages) {
      await(spool.appendStatus(m.queueId(), "line\n", false));
    }
    spool.injectFaults((point, queueId) -> {
      if (point == SpoolFaults.Point.SPOOL_SYNC) {
        throw new IOException("injected");
      }
    });

    List<Future<Void>> removed = removeInOneTurn(vertx, spool, messages, i -> i < 2);

    for (int i = 0; i < messages.size(); i++) {
      Path status = dir.resolve("status").resolve(messages.get(i).queueId());
      Future<Void> f = removed.get(i);
      if (i < 2) {
        assertTrue(f.failed(), "a durable removal whose sync failed");
        assertTrue(Files.exists(status), "its status file stays until the removal is durable");
      } else {
        assertTrue(f.succeeded(), () -> String.valueOf(f.cause()));
        assertFalse(Files.exists(status));
      }
    }
  }

  @Test
  void aJournaledMessageWhoseFileIsDeletedLeavesNothingForTheCheckpointToLookFor(Vertx vertx) throws Exception {
    SpoolFolders folders = new SpoolFolders(dir);
    SpoolJournal journal = SpoolRecovery.begin(folders, Long.MAX_VALUE, Long.MAX_VALUE).journal();
    List<String> ids = List.of(QueueIds.next(), QueueIds.next(), QueueIds.next());
    List<SpoolJournal.Entry> entries = new ArrayList<>();
    for (String id : ids) {
      entries.add(new SpoolJournal.Entry(id, new ByteBuffer[] {ByteBuffer.wrap(("POSTINO1 2\n{}\n" + id).getBytes(StandardCharsets.US_ASCII))}));
    }
    SpoolJournal.Segment segment = journal.append(entries);
    journal.published(segment);
    // one has its file (past the residents' budget); the others never had one
    Files.writeString(folders.incoming.resolve(ids.get(0)), "POSTINO1 2\n{}\n" + ids.get(0));
    SpoolRemovals removals = new SpoolRemovals(vertx, journal, folders.residents,
        SharedSync.ofDirectory(vertx, folders.journal), SharedSync.ofDirectory(vertx, folders.incoming));

    List<Future<Void>> removed = new ArrayList<>();
    for (String id : ids) {
      removed.add(removals.remove(id, folders.incoming.resolve(id), null, false));
    }
    await(Future.all(removed));

    assertEquals(List.of(), files(folders.incoming));
    assertTrue(segment.live.isEmpty());
    // a checkpoint syncs the files of removals under way; these are done, their files gone
    assertEquals(java.util.Set.of(), segment.removed);
  }

  private static List<SpooledMessage> store(Vertx vertx, Spool spool, int n) throws Exception {
    MailAddress bob = new MailAddress("bob", "example.com");
    List<SpooledMessage> messages = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      messages.add(await(SpoolTesting.store(vertx.getOrCreateContext(), spool, envelope(spool.newQueueId(), RECEIVED, bob),
          ("Subject: " + i + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII))));
    }
    return messages;
  }

  /** Asks for every removal in one event-loop turn, so that they wait for each other's batches; waits for all. */
  private static List<Future<Void>> removeInOneTurn(Vertx vertx, Spool spool, List<SpooledMessage> messages,
      java.util.function.IntPredicate durable) throws Exception {
    Promise<List<Future<Void>>> all = Promise.promise();
    vertx.runOnContext(v -> {
      List<Future<Void>> removed = new ArrayList<>();
      for (int i = 0; i < messages.size(); i++) {
        removed.add(spool.remove(messages.get(i), durable.test(i)));
      }
      Future.join(removed).onComplete(x -> all.complete(removed));
    });
    return await(all.future());
  }

  private static List<Path> files(Path d) throws IOException {
    try (var s = Files.list(d)) {
      return s.toList();
    }
  }
}
