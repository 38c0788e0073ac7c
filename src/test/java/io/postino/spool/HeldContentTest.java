package io.postino.spool;

import static io.postino.spool.SpoolTesting.await;
import static io.postino.spool.SpoolTesting.envelope;
import static io.postino.spool.SpoolTesting.fileNames;
import static io.postino.spool.SpoolTesting.onContext;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.smtp.MailAddress;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A message of up to {@link SpoolFileWriter#HOLD_LIMIT} that arrives over several event-loop turns
 * (a 100 KiB message read from the socket in several reads) waits in memory for its end and is
 * then written whole, within the process's {@link HeldContent} budget; it is not journaled. Past
 * that budget, or past the limit, it streams through {@code tmp}.
 */
@ExtendWith(VertxExtension.class)
class HeldContentTest {

  private static final MailAddress ALICE = new MailAddress("alice", "example.com");
  private static final Instant RECEIVED = Instant.parse("2026-01-02T03:04:05.678Z");

  @TempDir
  Path dir;

  @AfterEach
  void everythingHeldIsGivenBack() {
    assertEquals(0, HeldContent.PROCESS.held());
  }

  @Test
  void aMessageOfAHundredKibInFourTurnsWaitsInMemoryAndIsWrittenWhole(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    Envelope envelope = envelope(spool.newQueueId(), RECEIVED, ALICE);
    List<byte[]> parts = parts(4, 25 * 1024);
    Turns turns = new Turns(vertx.getOrCreateContext(), spool.create(envelope), parts);

    SpooledMessage message = await(turns.run());

    assertEquals(List.of(false, false, false, false), turns.queueFull, "nothing to wait for below 128 KiB");
    assertEquals(List.of(List.of(), List.of(), List.of()), turns.tmpAfterTurn, "no temporary file while it arrives");
    // held in memory, against the budget, from the end of its first turn to its commit
    for (int i = 0; i < 3; i++) {
      assertTrue(turns.heldAfterTurn.get(i) >= (i + 1) * 25L * 1024, "held after turn " + i + ": " + turns.heldAfterTurn);
    }
    byte[] expected = concat(parts);
    assertEquals(expected.length, message.contentLength());
    byte[] file = SpoolTesting.wholeFile(spool, message);
    assertArrayEquals(expected, Arrays.copyOfRange(file, (int) message.contentOffset(), file.length));

    assertEquals(List.of(), fileNames(dir.resolve("tmp")));

    // committed alone, it was journaled (one sync before its 250): a start rewrites its file
    Files.deleteIfExists(message.file());
    SpoolTesting.crash(spool, dir);
    await(Spool.open(vertx, dir));
    assertArrayEquals(file, Files.readAllBytes(message.file()));
  }

  @Test
  void aMessageThatGrowsPastTheLimitStreamsThroughTmp(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    Envelope envelope = envelope(spool.newQueueId(), RECEIVED, ALICE);
    List<byte[]> parts = parts(5, 40 * 1024);
    Turns turns = new Turns(vertx.getOrCreateContext(), spool.create(envelope), parts);

    SpooledMessage message = await(turns.run());

    // 40, 80 and 120 KiB wait in memory; at 160 KiB it is past the limit: the writer says its
    // queue is full until its file is open
    assertEquals(List.of(false, false, false, true), turns.queueFull.subList(0, 4));
    assertEquals(List.of(List.of(), List.of(), List.of(), List.of(envelope.queueId())), turns.tmpAfterTurn);
    byte[] file = Files.readAllBytes(message.file());
    assertArrayEquals(concat(parts), Arrays.copyOfRange(file, (int) message.contentOffset(), file.length));
    assertEquals(List.of(), fileNames(dir.resolve("tmp")));

  }

  @Test
  void withTheBudgetTakenAMessageStreamsThroughTmpAfterItsFirstTurn(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    Envelope envelope = envelope(spool.newQueueId(), RECEIVED, ALICE);
    List<byte[]> parts = parts(2, 1024);
    long rest = Long.MAX_VALUE / 2;
    assertFalse(HeldContent.PROCESS.take(rest), "the budget is bounded");
    long all = takeAll();
    Turns turns = new Turns(vertx.getOrCreateContext(), spool.create(envelope), parts);
    SpooledMessage message;
    try {
      message = await(turns.run());
    } finally {
      HeldContent.PROCESS.give(all);
    }
    assertEquals(List.of(all), turns.heldAfterTurn, "nothing more held after its first turn: it streamed");
    byte[] file = Files.readAllBytes(message.file());
    assertArrayEquals(concat(parts), Arrays.copyOfRange(file, (int) message.contentOffset(), file.length));
  }

  @Test
  void anAbortedMessageGivesBackWhatItHeld(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    Context context = vertx.getOrCreateContext();
    SpoolWriter writer = await(onContext(context,
        () -> Future.succeededFuture(spool.create(envelope(spool.newQueueId(), RECEIVED, ALICE)))));
    await(onContext(context, () -> {
      writer.write(Buffer.buffer(new byte[30_000]));
      return Future.succeededFuture();
    }));
    // looked at in a later task, after the write's turn ended: its octets are held against the budget
    long held = await(onContext(context, () -> Future.succeededFuture(HeldContent.PROCESS.held())));
    assertTrue(held >= 30_000, "held " + held);

    await(onContext(context, writer::abort));

    assertEquals(List.of(), fileNames(dir.resolve("tmp")));
    assertEquals(List.of(), fileNames(dir.resolve("incoming")));
  }

  /** Takes what is left of the process's budget; returns how much, to give back. */
  private static long takeAll() {
    long left = 64L << 20;
    long taken = 0;
    while (left > 0) {
      if (HeldContent.PROCESS.take(left)) {
        taken += left;
      } else {
        left /= 2;
      }
    }
    return taken;
  }

  /**
   * Writes each part in a turn of its own on {@code context}: the next one after the writer's
   * end-of-turn task (queued by the write before it), or once the writer drains when its queue was
   * full; notes after each turn whether the queue was full, what {@code tmp} held and how much of
   * the budget was held; commits with the last part.
   */
  private final class Turns {
    final Context context;
    final SpoolWriter writer;
    final List<byte[]> parts;
    final List<Boolean> queueFull = new ArrayList<>();
    final List<List<String>> tmpAfterTurn = new ArrayList<>();
    final List<Long> heldAfterTurn = new ArrayList<>();
    final Promise<SpooledMessage> committed = Promise.promise();

    Turns(Context context, SpoolWriter writer, List<byte[]> parts) {
      this.context = context;
      this.writer = writer;
      this.parts = parts;
    }

    Future<SpooledMessage> run() {
      context.runOnContext(v -> write(0));
      return committed.future();
    }

    private void write(int i) {
      writer.write(Buffer.buffer(parts.get(i)));
      boolean full = writer.writeQueueFull();
      queueFull.add(full);
      if (i == parts.size() - 1) {
        writer.commit().onComplete(committed);
        return;
      }
      Handler<Void> next = v -> {
        try {
          tmpAfterTurn.add(fileNames(dir.resolve("tmp")));
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        heldAfterTurn.add(HeldContent.PROCESS.held());
        write(i + 1);
      };
      if (full) {
        writer.drainHandler(next);
      } else {
        context.runOnContext(next);
      }
    }
  }

  private static List<byte[]> parts(int n, int size) {
    Random random = new Random(n * 31L + size);
    List<byte[]> parts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] part = new byte[size];
      random.nextBytes(part);
      parts.add(part);
    }
    return parts;
  }

  private static byte[] concat(List<byte[]> parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    parts.forEach(out::writeBytes);
    return out.toByteArray();
  }

}
