package io.postino.spool;

import static io.postino.spool.SpoolTesting.await;
import static io.postino.spool.SpoolTesting.fileNames;
import static io.postino.spool.SpoolTesting.onContext;
import static io.postino.spool.SpoolTesting.awaitFailure;
import static io.postino.spool.SpoolTesting.contexts;
import static io.postino.spool.SpoolTesting.envelope;
import static io.postino.spool.SpoolTesting.store;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.smtp.MailAddress;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class SpoolTest {

  private static final MailAddress ALICE = new MailAddress("alice", "example.com");
  private static final Instant RECEIVED = Instant.parse("2026-01-02T03:04:05.678Z");

  @TempDir
  Path dir;

  @Test
  void committedMessageReadsBackByteForByte(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    Envelope envelope = envelope(spool.newQueueId(), RECEIVED, ALICE);
    byte[] content = "Subject: hi\r\n\r\n\u00e9t\u00e9\r\n.dot\r\n".getBytes(StandardCharsets.UTF_8);

    SpooledMessage message = await(store(vertx.getOrCreateContext(), spool, envelope, content));

    Path file = dir.resolve("incoming").resolve(envelope.queueId());
    assertEquals(file, message.file());
    assertEquals(envelope, message.envelope());
    assertFalse(Files.exists(dir.resolve("tmp").resolve(envelope.queueId())));
    byte[] json = envelope.toJson().encode().getBytes(StandardCharsets.UTF_8);
    CRC32C crc = new CRC32C();
    crc.update(content);
    byte[] header = (String.format("POSTINO1 %d %019d %08x\n", json.length, content.length, crc.getValue())
        + new String(json, StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] bytes = Files.readAllBytes(SpoolTesting.fileOf(spool, message));
    assertArrayEquals(header, Arrays.copyOf(bytes, header.length));
    assertEquals(header.length, message.contentOffset());
    assertEquals(content.length, message.contentLength());
    assertArrayEquals(content, Arrays.copyOfRange(bytes, header.length, bytes.length));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
  }

  @Test
  void twentyMegabytesStreamWithBackPressure(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    Envelope envelope = envelope(spool.newQueueId(), RECEIVED, ALICE);
    Context context = contexts(vertx, 1).get(0);
    ChunkPump pump = new ChunkPump(20 << 20, 64 << 10);

    Promise<SpooledMessage> committed = Promise.promise();
    context.runOnContext(v -> pump.start(spool.create(envelope), committed));
    SpooledMessage message = await(committed.future());

    assertEquals(20 << 20, message.contentLength());
    // the first 128 KiB wait in memory, then AsyncFile holds at most 128 KiB of queued writes
    // before writeQueueFull(): the pump kept to both.
    assertTrue(pump.peakBytesInFlight <= SpoolFileWriter.HOLD_LIMIT + (256 << 10),
        "peak in flight " + pump.peakBytesInFlight);
    assertArrayEquals(pump.digest.digest(), contentDigest(message));
  }

  @Test
  void concurrentCommitsShareBatches(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    List<Context> contexts = contexts(vertx, 5);
    List<Envelope> envelopes = new ArrayList<>();
    List<Future<SpoolWriter>> created = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Envelope envelope = envelope(spool.newQueueId(), RECEIVED, ALICE);
      envelopes.add(envelope);
      created.add(onContext(contexts.get(i % 5), () -> {
        SpoolWriter w = spool.create(envelope);
        // a small message waits in memory until its commit, however many turns that takes
        w.write(Buffer.buffer("message " + envelope.queueId()));
        return Future.succeededFuture(w);
      }));
    }
    List<SpoolWriter> writers = new ArrayList<>();
    for (Future<SpoolWriter> f : created) {
      writers.add(await(f));
    }

    Queue<String> visibleTooEarly = new ConcurrentLinkedQueue<>();
    List<Promise<SpooledMessage>> commits = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      commits.add(Promise.promise());
    }
    for (int c = 0; c < 5; c++) {
      int first = c;
      contexts.get(c).runOnContext(v -> {
        for (int i = first; i < 50; i += 5) {
          Promise<SpooledMessage> done = commits.get(i);
          writers.get(i).commit()
              .onSuccess(m -> {
                // in incoming: its file, or (journaled) kept in memory by the spool
                boolean queued = Files.exists(m.file()) || spool.residents().contains(m.queueId());
                if (!queued || Files.exists(dir.resolve("tmp").resolve(m.queueId()))) {
                  visibleTooEarly.add(m.queueId());
                }
              })
              .onComplete(done);
        }
      });
    }
    for (int i = 0; i < 50; i++) {
      assertEquals(envelopes.get(i), await(commits.get(i).future()).envelope());
    }

    assertTrue(visibleTooEarly.isEmpty(), "completed before being in incoming: " + visibleTooEarly);
    assertEquals(50, spool.committedMessages());
    assertTrue(spool.commitBatches() < spool.committedMessages(), "batches " + spool.commitBatches());
    assertEquals(50, fileNames(dir.resolve("incoming")).size() + spool.residents().size());
    assertEquals(List.of(), fileNames(dir.resolve("tmp")));
  }

  @Test
  void reopeningCleansTmpAndReadsBackWholeMessagesAndQuarantinesTheRest(Vertx vertx) throws Exception {
    Spool first = await(Spool.open(vertx, dir));
    Context context = vertx.getOrCreateContext();
    Envelope a = envelope(first.newQueueId(), RECEIVED.plusSeconds(10), ALICE);
    Envelope b = envelope(first.newQueueId(), RECEIVED.plusSeconds(20), ALICE);
    Envelope c = envelope(first.newQueueId(), RECEIVED, ALICE);
    List<SpooledMessage> stored = new ArrayList<>();
    for (Envelope e : List.of(a, b, c)) {
      stored.add(await(store(context, first, e, ("content of " + e.queueId()).getBytes(StandardCharsets.US_ASCII))));
    }
    Files.write(dir.resolve("tmp").resolve("NEVERACKED"), "half a message".getBytes(StandardCharsets.US_ASCII));
    Files.writeString(dir.resolve("status").resolve("ORPHAN"), "{\"attempt\":1}\n");
    Path incoming = dir.resolve("incoming");
    byte[] garbage = new byte[4096];
    new Random(1).nextBytes(garbage);
    Files.write(incoming.resolve("GARBAGE"), garbage);
    Files.write(incoming.resolve("EMPTY"), new byte[0]);
    Files.writeString(incoming.resolve("TRUNCATED"), "POSTINO1 500\n{\"version\":1,\"queueId\"");
    Files.writeString(incoming.resolve("NOLENGTH"), "POSTINO1 \n{}\n");
    Files.writeString(incoming.resolve("HUGELENGTH"), "POSTINO1 99999999\n{}\n");
    Files.writeString(incoming.resolve("WRONGMAGIC"), "POSTINO2 2\n{}\ncontent");
    Files.writeString(incoming.resolve("BADJSON"), "POSTINO1 9\n{not json\ncontent");
    Files.writeString(incoming.resolve("NOLINEFEED"), "POSTINO1 2\n{}Xcontent");
    Files.writeString(incoming.resolve("BADENVELOPE"), "POSTINO1 13\n{\"version\":1}\ncontent");
    Files.write(incoming.resolve("BADUTF8"), concat("POSTINO1 3\n\"".getBytes(StandardCharsets.US_ASCII),
        new byte[] {(byte) 0xC3, '"', '\n'}));
    Files.copy(SpoolTesting.fileOf(first, stored.get(0)), incoming.resolve("RENAMED"));
    Files.createDirectory(incoming.resolve("ADIRECTORY"));

    // a restart: the process that had the spool is gone, and its lock with it
    SpoolTesting.crash(first, dir);
    Spool second = await(Spool.open(vertx, dir));

    assertEquals(List.of(), fileNames(dir.resolve("tmp")));
    assertEquals(List.of(), fileNames(dir.resolve("status")));
    Spool.Due due = await(second.due(Instant.now().plusSeconds(60), 100, Set.of(), false));
    assertFalse(due.more());
    List<String> good = Stream.of(a, b, c).map(Envelope::queueId).sorted().toList();
    for (String id : due.queueIds()) {
      if (good.contains(id)) {
        SpooledMessage m = await(second.read(id));
        assertEquals(stored.get(List.of(a, b, c).stream().map(Envelope::queueId).toList().indexOf(id)), m);
      } else {
        assertInstanceOf(IOException.class, awaitFailure(second.read(id)), id);
      }
    }
    assertEquals(List.of("ADIRECTORY", "BADENVELOPE", "BADJSON", "BADUTF8", "EMPTY", "GARBAGE",
            "HUGELENGTH", "NOLENGTH", "NOLINEFEED", "RENAMED", "TRUNCATED", "WRONGMAGIC"),
        fileNames(dir.resolve("corrupt")));
    assertEquals(good, fileNames(incoming));
  }

  @Test
  void dueFollowsTheNextAttemptTimeAndTheLimit(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    Context context = vertx.getOrCreateContext();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ids.add(await(store(context, spool, envelope(spool.newQueueId(), RECEIVED, ALICE), new byte[] {'x'})).queueId());
    }
    Instant now = Instant.now();
    await(spool.setNextAttempt(ids.get(0), now.plusSeconds(3600)));

    assertEquals(ids.subList(1, 4), await(spool.due(now.plusSeconds(1), 10, Set.of(), false)).queueIds());
    assertEquals(ids, await(spool.due(now.plusSeconds(1), 10, Set.of(), true)).queueIds());
    assertEquals(List.of(ids.get(1), ids.get(3)),
        await(spool.due(now.plusSeconds(1), 10, Set.of(ids.get(2)), false)).queueIds());
    Spool.Due two = await(spool.due(now.plusSeconds(1), 2, Set.of(), false));
    assertEquals(2, two.queueIds().size());
    assertTrue(two.more());
  }

  @Test
  void statusLinesAppendAndATornLastLineIsIgnored(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    SpooledMessage m = await(store(vertx.getOrCreateContext(), spool, envelope(spool.newQueueId(), RECEIVED, ALICE),
        new byte[] {'x'}));
    await(spool.appendStatus(m.queueId(), "{\"attempt\":1}\n", true));
    await(spool.appendStatus(m.queueId(), "{\"attempt\":2}\n{\"att", false));

    assertEquals(List.of("{\"attempt\":1}", "{\"attempt\":2}"), await(spool.readStatus(m.queueId())));
    assertEquals("rw-------", PosixFilePermissions.toString(
        Files.getPosixFilePermissions(dir.resolve("status").resolve(m.queueId()))));

    await(spool.remove(m, true));
    assertFalse(Files.exists(dir.resolve("status").resolve(m.queueId())));
    assertEquals(List.of(), await(spool.readStatus(m.queueId())));
  }

  @Test
  void holdReleaseAndDelete(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    SpooledMessage m = await(store(vertx.getOrCreateContext(), spool, envelope(spool.newQueueId(), RECEIVED, ALICE),
        new byte[] {'x'}));
    await(spool.setNextAttempt(m.queueId(), Instant.now().plusSeconds(3600)));

    assertTrue(await(spool.hold(m.queueId())));
    assertEquals(List.of(m.queueId()), await(spool.held()));
    assertEquals(List.of(), fileNames(dir.resolve("incoming")));
    assertFalse(await(spool.hold(m.queueId())));
    assertTrue(await(spool.release(m.queueId())));
    assertEquals(List.of(m.queueId()), await(spool.due(Instant.now().plusSeconds(1), 10, Set.of(), false)).queueIds());
    assertTrue(await(spool.delete(m.queueId())));
    assertFalse(await(spool.delete(m.queueId())));
    assertEquals(List.of(), fileNames(dir.resolve("incoming")));
  }

  @Test
  void manyDeletionsAskedAtOnceEachSayWhetherTheirMessageWasThereAndNoneComesBack(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    Context context = vertx.getOrCreateContext();
    List<Future<SpooledMessage>> stored = new ArrayList<>();
    for (int i = 0; i < OperatorMoves.MAX_BATCH + 44; i++) {
      // small ones journaled and resident, every tenth too large for the journal: a file
      byte[] content = ("Subject: " + i + "\r\n\r\n" + "x".repeat(i % 10 == 0 ? 70_000 : 10) + "\r\n")
          .getBytes(StandardCharsets.US_ASCII);
      stored.add(store(context, spool, envelope(spool.newQueueId(), RECEIVED, ALICE), content));
    }
    List<String> ids = await(Future.all(stored)).<SpooledMessage>list().stream().map(SpooledMessage::queueId).toList();
    for (String id : ids.subList(0, 20)) {
      assertTrue(await(spool.hold(id)));
    }
    await(spool.setNextAttempt(ids.get(25), Instant.now().plusSeconds(3600)));
    List<String> asked = new ArrayList<>(ids);
    asked.add(spool.newQueueId());
    asked.add(ids.get(30));

    List<Future<Boolean>> deletions = new ArrayList<>();
    for (String id : asked) {
      deletions.add(spool.delete(id));
    }
    List<Boolean> found = await(Future.all(deletions)).list();
    assertEquals(ids.size(), found.stream().filter(f -> f).count(), "each message once, the unknown id never");
    assertFalse(found.get(ids.size()), "an id never queued");
    assertEquals(List.of(), fileNames(dir.resolve("incoming")));
    assertEquals(List.of(), fileNames(dir.resolve("hold")));
    assertEquals(List.of(), fileNames(dir.resolve("status")));
    assertEquals(List.of(), await(spool.list(QueueFilter.ALL, Set.of())));
    SpoolTesting.crash(spool, dir);

    Spool again = await(Spool.open(vertx, dir));
    assertEquals(List.of(), await(again.list(QueueFilter.ALL, Set.of())), "none back after a restart");
  }

  @Test
  void openCreatesTheLayout(Vertx vertx) throws Exception {
    Path fresh = dir.resolve("a").resolve("spool");
    Spool spool = await(Spool.open(vertx, fresh));

    assertEquals(fresh.toAbsolutePath(), spool.directory());
    for (String sub : List.of("tmp", "incoming", "hold", "corrupt", "status")) {
      assertTrue(Files.isDirectory(fresh.resolve(sub)), sub);
    }
  }

  @Test
  void abortDeletesTheTemporaryFile(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    Envelope envelope = envelope(spool.newQueueId(), RECEIVED, ALICE);
    Context context = vertx.getOrCreateContext();
    SpoolWriter writer = await(onContext(context, () -> Future.succeededFuture(spool.create(envelope))));
    assertEquals(List.of(), fileNames(dir.resolve("tmp")), "nothing on disk before any content");
    // a write's future completes once the turn that made it has ended and it is in the file: one
    // too large to wait in memory streams through tmp
    await(onContext(context, () -> writer.write(Buffer.buffer(new byte[SpoolFileWriter.HOLD_LIMIT + 1]))));
    assertEquals(List.of(envelope.queueId()), fileNames(dir.resolve("tmp")));

    await(onContext(context, writer::abort));

    assertEquals(List.of(), fileNames(dir.resolve("tmp")));
    assertEquals(List.of(), fileNames(dir.resolve("incoming")));
    await(onContext(context, writer::abort));
    assertInstanceOf(IllegalStateException.class, awaitFailure(onContext(context, writer::commit)));
    assertInstanceOf(IllegalStateException.class,
        awaitFailure(onContext(context, () -> writer.write(Buffer.buffer("more")))));
  }

  @Test
  void removeDeletesTheFile(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    SpooledMessage message = await(store(vertx.getOrCreateContext(), spool,
        envelope(spool.newQueueId(), RECEIVED, ALICE), new byte[] {'x'}));

    await(spool.remove(message));

    assertFalse(Files.exists(message.file()));
    assertEquals(List.of(), fileNames(dir.resolve("incoming")));
    await(spool.remove(message));
  }

  @Test
  void removeRefusesFilesOutsideTheSpool(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    Path outside = Files.writeString(dir.resolve("precious"), "keep me");
    SpooledMessage foreign = new SpooledMessage(envelope("X1", RECEIVED, ALICE), outside, 0, 7);

    assertInstanceOf(IllegalArgumentException.class, awaitFailure(spool.remove(foreign)));
    assertTrue(Files.exists(outside));
  }

  @Test
  void preambleAndContentWrittenOverSeveralTurnsAreCommittedWhole(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    Envelope envelope = envelope(spool.newQueueId(), RECEIVED, ALICE);
    Context context = vertx.getOrCreateContext();
    SpoolWriter writer = await(onContext(context,
        () -> Future.succeededFuture(spool.create(envelope, Buffer.buffer("Received: by test\r\n")))));
    // the first part outlives its turn and is too large to wait in memory: it goes to the
    // temporary file before the rest arrives
    String subject = "Subject: " + "1".repeat(SpoolFileWriter.HOLD_LIMIT) + "\r\n";
    await(onContext(context, () -> writer.write(Buffer.buffer(subject))));
    assertEquals(List.of(envelope.queueId()), fileNames(dir.resolve("tmp")));
    SpooledMessage message = await(onContext(context, () -> {
      writer.write(Buffer.buffer("\r\nbody\r\n"));
      return writer.commit();
    }));

    byte[] expected = ("Received: by test\r\n" + subject + "\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII);
    assertEquals(expected.length, message.contentLength());
    byte[] bytes = Files.readAllBytes(message.file());
    assertArrayEquals(expected, Arrays.copyOfRange(bytes, (int) message.contentOffset(), bytes.length));
    assertEquals(List.of(), fileNames(dir.resolve("tmp")));
  }

  @Test
  void aCommitRightAfterTheFileStartedOpeningWaitsForIt(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    String subject = "Subject: " + "a".repeat(SpoolFileWriter.HOLD_LIMIT) + "\r\n";
    Envelope envelope = envelope(spool.newQueueId(), RECEIVED, ALICE);
    Context context = vertx.getOrCreateContext();
    Promise<SpooledMessage> committed = Promise.promise();
    context.runOnContext(v -> {
      SpoolWriter writer = spool.create(envelope);
      // too large to wait in memory: the end of the turn starts opening the file
      writer.write(Buffer.buffer(subject));
      // queued after the end-of-turn task that starts opening the file, so it runs while it opens
      context.runOnContext(w -> {
        writer.write(Buffer.buffer("\r\nb\r\n"));
        writer.commit().onComplete(committed);
      });
    });
    SpooledMessage message = await(committed.future());
    byte[] bytes = Files.readAllBytes(message.file());
    assertEquals(subject + "\r\nb\r\n",
        new String(bytes, (int) message.contentOffset(), bytes.length - (int) message.contentOffset(), StandardCharsets.US_ASCII));
  }

  @Test
  void aMessageThatCannotBeWrittenFailsItsCommitAndLeavesNothing(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    Context context = vertx.getOrCreateContext();
    // no tmp or journal directory: neither a message written in one turn (journaled) nor one
    // that streams (through tmp) can be written
    Files.delete(dir.resolve("tmp"));
    Files.delete(dir.resolve("journal"));

    Envelope whole = envelope(spool.newQueueId(), RECEIVED, ALICE);
    awaitFailure(store(context, spool, whole, "Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII)));

    Envelope streamed = envelope(spool.newQueueId(), RECEIVED, ALICE);
    SpoolWriter writer = await(onContext(context, () -> Future.succeededFuture(spool.create(streamed))));
    awaitFailure(onContext(context, () -> writer.write(Buffer.buffer(new byte[SpoolFileWriter.HOLD_LIMIT + 1]))));
    awaitFailure(onContext(context, () -> writer.write(Buffer.buffer("\r\ny\r\n"))));
    awaitFailure(onContext(context, writer::commit));

    assertEquals(List.of(), fileNames(dir.resolve("incoming")));
    assertEquals(0, spool.committedMessages());
  }

  @Test
  void aSmallMessageLostFromIncomingComesBackFromTheJournal(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    Context context = vertx.getOrCreateContext();
    byte[] small = "Subject: small\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);
    byte[] large = new byte[SpoolJournal.MAX_MESSAGE_OCTETS + 1];
    Arrays.fill(large, (byte) 'x');
    SpooledMessage kept = await(store(context, spool, envelope(spool.newQueueId(), RECEIVED, ALICE), small));
    SpooledMessage removed = await(store(context, spool, envelope(spool.newQueueId(), RECEIVED, ALICE), small));
    // committed alone, a large message is journaled too (one sync before its 250, not two)
    SpooledMessage alone = await(store(context, spool, envelope(spool.newQueueId(), RECEIVED, ALICE), large));
    // committed while another commit is under way, it gets a file and an fdatasync of its own
    List<Future<SpooledMessage>> together = storeInOneTurn(context, spool, small, large);
    await(together.get(0));
    SpooledMessage crowded = await(together.get(1));
    byte[] keptFile = SpoolTesting.wholeFile(spool, kept);
    byte[] aloneFile = SpoolTesting.wholeFile(spool, alone);
    await(spool.remove(removed));
    // what a power loss could do to files that only the journal had synced (or a stop to one
    // the spool kept in memory)
    Files.deleteIfExists(kept.file());
    Files.deleteIfExists(alone.file());
    Files.delete(crowded.file());

    SpoolTesting.crash(spool, dir);
    Spool reopened = await(Spool.open(vertx, dir));

    SpooledMessage back = await(reopened.read(kept.queueId()));
    assertEquals(kept, back);
    assertArrayEquals(keptFile, Files.readAllBytes(back.file()));
    assertArrayEquals(aloneFile, Files.readAllBytes(await(reopened.read(alone.queueId())).file()));
    assertFalse(Files.exists(removed.file()), "a removed message stays removed");
    // synced as a file, the crowded one is not journaled: nothing rewrites it
    assertFalse(Files.exists(crowded.file()));
  }

  @Test
  void aCleanCloseLeavesNoJournalToReplayAndEveryQueuedMessageInItsFile(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    Context context = vertx.getOrCreateContext();
    byte[] small = "Subject: small\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);
    SpooledMessage kept = await(store(context, spool, envelope(spool.newQueueId(), RECEIVED, ALICE), small));
    SpooledMessage removed = await(store(context, spool, envelope(spool.newQueueId(), RECEIVED, ALICE), small));
    assertTrue(spool.residents().contains(kept.queueId()), "journaled and kept in memory, without a file");
    byte[] keptFile = SpoolTesting.wholeFile(spool, kept);
    await(spool.remove(removed));
    assertEquals(1, fileNames(dir.resolve("journal")).size());

    await(spool.close());

    assertEquals(List.of(), fileNames(dir.resolve("journal")), "nothing for the next start to replay");
    assertEquals(List.of(kept.queueId()), fileNames(dir.resolve("incoming")));
    assertArrayEquals(keptFile, Files.readAllBytes(kept.file()));
    Spool reopened = await(Spool.open(vertx, dir));
    assertEquals(kept, await(reopened.read(kept.queueId())));
    assertEquals(List.of(kept.queueId()), await(reopened.due(Instant.now().plusSeconds(60), 10, Set.of(), false)).queueIds());
  }

  @Test
  void aLargeMessageAloneGetsAFileOfItsOwnWhenTheResidentsHaveNoRoomForIt(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    Context context = vertx.getOrCreateContext();
    byte[] large = new byte[SpoolJournal.MAX_MESSAGE_OCTETS + 1];
    Arrays.fill(large, (byte) 'x');
    // what a queue that keeps what it takes comes to: a checkpoint would write it a second time
    spool.residents().limit(SpoolJournal.MAX_MESSAGE_OCTETS);
    SpooledMessage full = await(store(context, spool, envelope(spool.newQueueId(), RECEIVED, ALICE), large));
    spool.residents().limit(4 * SpoolJournal.MAX_RECORDED_OCTETS);
    SpooledMessage room = await(store(context, spool, envelope(spool.newQueueId(), RECEIVED, ALICE), large));
    assertTrue(spool.residents().contains(room.queueId()));
    byte[] roomFile = SpoolTesting.wholeFile(spool, room);
    Files.delete(full.file());

    SpoolTesting.crash(spool, dir);
    Spool reopened = await(Spool.open(vertx, dir));

    assertFalse(Files.exists(full.file()), "not journaled: nothing rewrites it");
    assertArrayEquals(roomFile, Files.readAllBytes(await(reopened.read(room.queueId())).file()));
  }

  /** Creates, writes and commits a message of each content in one event-loop turn, in order. */
  private static List<Future<SpooledMessage>> storeInOneTurn(Context context, Spool spool, byte[]... contents)
      throws Exception {
    return await(onContext(context, () -> {
      List<Future<SpooledMessage>> commits = new ArrayList<>();
      for (byte[] content : contents) {
        SpoolWriter writer = spool.create(envelope(spool.newQueueId(), RECEIVED, ALICE));
        writer.write(Buffer.buffer(content));
        commits.add(writer.commit());
      }
      return Future.succeededFuture(commits);
    }));
  }

  @Test
  void aJournaledMessageWhoseFileCannotBeWrittenFailsAndIsNotReplayed(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    Context context = vertx.getOrCreateContext();
    Path incoming = dir.resolve("incoming");
    // the journal takes the message, then its file cannot be written into incoming
    Files.delete(incoming);
    Files.writeString(incoming, "not a directory");
    awaitFailure(store(context, spool, envelope(spool.newQueueId(), RECEIVED, ALICE),
        "Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII)));
    Files.delete(incoming);
    Files.createDirectory(incoming);

    SpoolTesting.crash(spool, dir);
    await(Spool.open(vertx, dir));

    assertEquals(List.of(), fileNames(incoming), "the client was told it failed: it must not come back");
  }

  @Test
  void createRefusesQueueIdsThatAreNotPlainFileNames(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    for (String id : List.of("../escape", "a/b", "", ".hidden", "x".repeat(65))) {
      Envelope envelope = envelope(id, RECEIVED, ALICE);
      assertThrows(IllegalArgumentException.class, () -> spool.create(envelope), id);
    }
    assertEquals(List.of(), fileNames(dir.resolve("tmp")));
  }

  @Test
  void failedBatchFailsEveryCommitAndLeavesNothingInIncoming(Vertx vertx) throws Exception {
    Path tmp = Files.createDirectory(dir.resolve("tmp"));
    Path incoming = Files.createDirectory(dir.resolve("incoming"));
    GroupCommitter committer = new GroupCommitter(vertx, incoming, null);
    List<String> names = List.of("A", "B", "C", "D", "E");
    for (String name : names) {
      Files.writeString(tmp.resolve(name), name);
    }
    // A rename onto a non-empty directory fails: C cannot be published.
    Files.writeString(Files.createDirectory(incoming.resolve("C")).resolve("blocker"), "");

    // From one context in one go: A starts a batch alone, B to E wait and form the next one,
    // in which B is renamed before C fails.
    List<Future<Void>> commits = await(onContext(vertx.getOrCreateContext(), () -> Future.succeededFuture(
        names.stream().map(n -> committer.commit(tmp.resolve(n), incoming.resolve(n), false)).toList())));

    await(commits.get(0));
    for (Future<Void> failed : commits.subList(1, 5)) {
      awaitFailure(failed);
    }
    assertEquals(List.of("A", "C"), fileNames(incoming));
    // B was renamed, then taken out of incoming again.
    assertEquals(List.of("C", "D", "E"), fileNames(tmp));
    assertEquals(1, committer.batches());
    assertEquals(1, committer.messages());
  }



  private static byte[] contentDigest(SpooledMessage message) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (FileChannel ch = FileChannel.open(message.file(), StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate(1 << 20);
      long position = message.contentOffset();
      int n;
      while ((n = ch.read(buf, position)) > 0) {
        position += n;
        buf.flip();
        digest.update(buf);
        buf.clear();
      }
    }
    return digest.digest();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Writes pseudo-random chunks the way a session pipes DATA: pausing while the queue is full. */
  private static final class ChunkPump {
    final MessageDigest digest;
    final long total;
    final int chunkSize;
    final Random random = new Random(42);
    long written;
    long bytesInFlight;
    long peakBytesInFlight;

    ChunkPump(long total, int chunkSize) throws Exception {
      this.digest = MessageDigest.getInstance("SHA-256");
      this.total = total;
      this.chunkSize = chunkSize;
    }

    void start(SpoolWriter writer, Promise<SpooledMessage> committed) {
      while (written < total) {
        if (writer.writeQueueFull()) {
          writer.drainHandler(v -> start(writer, committed));
          return;
        }
        byte[] chunk = new byte[(int) Math.min(chunkSize, total - written)];
        random.nextBytes(chunk);
        digest.update(chunk);
        written += chunk.length;
        bytesInFlight += chunk.length;
        peakBytesInFlight = Math.max(peakBytesInFlight, bytesInFlight);
        writer.write(Buffer.buffer(chunk)).onSuccess(v -> bytesInFlight -= chunk.length);
      }
      writer.commit().onComplete(committed);
    }
  }
}
