package io.postino.spool;

import static io.postino.spool.SpoolTesting.await;
import static io.postino.spool.SpoolTesting.awaitFailure;
import static io.postino.spool.SpoolTesting.fileNames;
import static io.postino.spool.SpoolTesting.onContext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.files.DurableFiles;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files written whole from memory and committed ({@link GroupCommitter#commitWritten}): alone, in
 * the batch's own task; while a batch is in flight, written at once and committed in the next.
 */
@ExtendWith(VertxExtension.class)
class GroupCommitterTest {

  @TempDir
  Path dir;

  @Test
  void aFileWrittenWhileABatchIsInFlightIsWrittenAtOnceAndAFailedWriteFailsOnlyItsOwnCommit(Vertx vertx)
      throws Exception {
    Path tmp = Files.createDirectory(dir.resolve("tmp"));
    Path incoming = Files.createDirectory(dir.resolve("incoming"));
    GroupCommitter committer = new GroupCommitter(vertx, incoming, null);
    CountDownLatch firstWriting = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    CountDownLatch secondWritten = new CountDownLatch(1);

    // A is alone: its batch writes it, and waits here until released
    Future<Void> a = await(onContext(vertx.getOrCreateContext(), () -> Future.succeededFuture(
        committer.commitWritten(tmp.resolve("A"), incoming.resolve("A"), () -> {
          firstWriting.countDown();
          awaitLatch(releaseFirst);
          write(tmp.resolve("A"));
        }))));
    assertTrue(firstWriting.await(10, TimeUnit.SECONDS));

    // B and C come while A's batch is in flight: B is written before A's batch ends
    Future<Void> b = await(onContext(vertx.getOrCreateContext(), () -> Future.succeededFuture(
        committer.commitWritten(tmp.resolve("B"), incoming.resolve("B"), () -> {
          write(tmp.resolve("B"));
          secondWritten.countDown();
        }))));
    Future<Void> c = await(onContext(vertx.getOrCreateContext(), () -> Future.succeededFuture(
        committer.commitWritten(tmp.resolve("C"), incoming.resolve("C"), () -> {
          throw new IOException("disk full (test)");
        }))));
    assertTrue(secondWritten.await(10, TimeUnit.SECONDS), "B waited for A's batch to end before its write");
    assertEquals(List.of(), fileNames(incoming), "nothing committed while A's batch is held up");

    releaseFirst.countDown();
    await(a);
    await(b);
    assertEquals("disk full (test)", awaitFailure(c).getMessage());
    assertEquals(List.of("A", "B"), fileNames(incoming));
    assertEquals("B", Files.readString(incoming.resolve("B")));
    assertEquals(2, committer.messages());
  }

  private static void write(Path file) throws IOException {
    DurableFiles.write(file, false, true,
        ByteBuffer.wrap(file.getFileName().toString().getBytes(StandardCharsets.US_ASCII)));
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      latch.await(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
