package io.postino.spool;

import static io.postino.spool.SpoolTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The group commit's checkpoints of the journal: while a long one runs (it syncs every queued
 * file of a segment), the batches that find a segment ready do not each start one more, which
 * would wait on the checkpoint's lock and take the worker threads the commits need.
 */
class GroupCommitterCheckpointTest {

  @TempDir
  Path dir;

  Vertx vertx;

  @BeforeEach
  void vertx() {
    // as few worker threads as a busy server may have free
    vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(2));
  }

  @AfterEach
  void close() throws Exception {
    await(vertx.close());
  }

  /** Message files whose first sync blocks until {@link #release} opens. */
  static final class SlowFiles implements JournaledFiles {
    final CountDownLatch release = new CountDownLatch(1);
    final Set<String> synced = ConcurrentHashMap.newKeySet();

    @Override
    public boolean sync(String queueId) throws IOException {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      synced.add(queueId);
      return true;
    }

    @Override
    public boolean restore(String queueId, ByteBuffer content) {
      return false;
    }

    @Override
    public void syncFolders() {
    }
  }

  private static ByteBuffer[] file(String id) {
    return new ByteBuffer[] {ByteBuffer.wrap(("Subject: " + id + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII))};
  }

  @Test
  void commitsGoOnWhileACheckpointIsSlow() throws Exception {
    Path incoming = Files.createDirectory(dir.resolve("incoming"));
    Path journalDir = Files.createDirectory(dir.resolve("journal"));
    SlowFiles files = new SlowFiles();
    // every append retires its segment: every batch finds one ready to checkpoint
    SpoolJournal journal = new SpoolJournal(journalDir, files, 1, 1, Long.MAX_VALUE);
    GroupCommitter committer = new GroupCommitter(vertx, incoming, journal);
    List<String> ids = List.of("AAA", "BBB", "CCC", "DDD", "EEE");

    for (String id : ids) {
      // each would hang if the checkpoints waiting behind the slow one held both worker threads
      await(committer.commitJournaled(incoming.resolve(id), file(id)));
    }

    assertTrue(files.synced.isEmpty(), "the first checkpoint is still held");
    files.release.countDown();
    // waits for the checkpoint under way, then does whatever it left
    journal.checkpointRetired();
    assertEquals(Set.copyOf(ids), files.synced, "every message's file was synced by a checkpoint");
    try (Stream<Path> segments = Files.list(journalDir)) {
      assertEquals(List.of(), segments.toList(), "every retired segment was checkpointed and deleted");
    }
    for (String id : ids) {
      assertTrue(Files.exists(incoming.resolve(id)));
      assertFalse(journal.isJournaled(id));
    }
  }
}
