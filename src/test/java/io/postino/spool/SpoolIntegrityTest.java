package io.postino.spool;

import static io.postino.spool.SpoolTesting.await;
import static io.postino.spool.SpoolTesting.fileNames;
import static io.postino.spool.SpoolTesting.onContext;
import static io.postino.spool.SpoolTesting.awaitFailure;
import static io.postino.spool.SpoolTesting.envelope;
import static io.postino.spool.SpoolTesting.store;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.smtp.MailAddress;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spool files record their content's length and CRC-32C: a file cut short or damaged since it was
 * written is quarantined, never read back as a shorter or different message.
 */
@ExtendWith(VertxExtension.class)
class SpoolIntegrityTest {

  private static final MailAddress ALICE = new MailAddress("alice", "example.com");
  private static final Instant RECEIVED = Instant.parse("2026-01-02T03:04:05.678Z");

  @TempDir
  Path dir;

  @Test
  void aFileCutShortAtAnyOffsetIsQuarantinedNotReadShort(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    Envelope envelope = envelope(spool.newQueueId(), RECEIVED, ALICE);
    SpooledMessage message = await(store(vertx.getOrCreateContext(), spool, envelope,
        "Subject: cut\r\n\r\nline one\r\nline two\r\n".getBytes(StandardCharsets.US_ASCII)));
    byte[] whole = Files.readAllBytes(SpoolTesting.fileOf(spool, message));
    Path corrupt = dir.resolve("corrupt");

    for (int cut = 0; cut < whole.length; cut++) {
      Files.write(message.file(), Arrays.copyOf(whole, cut));
      Throwable failure = awaitFailure(spool.read(envelope.queueId()));
      assertInstanceOf(CorruptSpoolFileException.class, failure, "cut at " + cut);
      assertFalse(Files.exists(message.file()), "cut at " + cut + " left in incoming");
      assertEquals(1, fileNames(corrupt).size(), "cut at " + cut);
      for (String name : fileNames(corrupt)) {
        Files.delete(corrupt.resolve(name));
      }
    }
    Files.write(message.file(), whole);
    assertEquals(message, await(spool.read(envelope.queueId())));
  }

  @Test
  void aDamagedOctetFailsTheChecksum(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    Envelope envelope = envelope(spool.newQueueId(), RECEIVED, ALICE);
    SpooledMessage message = await(store(vertx.getOrCreateContext(), spool, envelope,
        "Subject: flip\r\n\r\npay 100 EUR\r\n".getBytes(StandardCharsets.US_ASCII)));
    byte[] bytes = Files.readAllBytes(SpoolTesting.fileOf(spool, message));
    bytes[bytes.length - 6] = '9';
    Files.write(message.file(), bytes);

    Throwable failure = awaitFailure(spool.read(envelope.queueId()));

    assertTrue(failure.getMessage().contains("checksum"), failure.getMessage());
    assertEquals(List.of(envelope.queueId()), fileNames(dir.resolve("corrupt")));
  }

  @Test
  void aStreamedMessageGetsItsLengthAndChecksumWhenItIsCommitted(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    Envelope envelope = envelope(spool.newQueueId(), RECEIVED, ALICE);
    Context context = vertx.getOrCreateContext();
    byte[] big = new byte[SpoolFileWriter.HOLD_LIMIT + 1000];
    new Random(7).nextBytes(big);
    SpoolWriter writer = await(onContext(context,
        () -> Future.succeededFuture(spool.create(envelope, Buffer.buffer("Received: by test\r\n")))));
    // the first part outlives its turn: the header is in the temporary file before the rest arrives
    await(onContext(context, () -> writer.write(Buffer.buffer(big))));
    SpooledMessage committed = await(onContext(context, () -> {
      writer.write(Buffer.buffer("\r\nthe end\r\n"));
      return writer.commit();
    }));

    String firstLine = new String(Files.readAllBytes(committed.file()), 0, 64, StandardCharsets.US_ASCII).split("\n")[0];
    assertTrue(firstLine.contains(String.format(" %019d ", committed.contentLength())), firstLine);
    assertEquals(committed, await(spool.read(envelope.queueId())));
    byte[] bytes = Files.readAllBytes(committed.file());
    Files.write(committed.file(), Arrays.copyOf(bytes, bytes.length - 1));
    assertInstanceOf(CorruptSpoolFileException.class, awaitFailure(spool.read(envelope.queueId())));
  }

  @Test
  void aFileWrittenBeforeTheSummaryFieldsIsStillRead(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    Envelope envelope = envelope(spool.newQueueId(), RECEIVED, ALICE);
    byte[] json = envelope.toJson().encode().getBytes(StandardCharsets.UTF_8);
    String header = "POSTINO1 " + json.length + "\n" + new String(json, StandardCharsets.UTF_8) + "\n";
    Files.writeString(dir.resolve("incoming").resolve(envelope.queueId()), header + "Subject: old\r\n\r\nx\r\n");

    SpooledMessage message = await(spool.read(envelope.queueId()));

    assertEquals(envelope, message.envelope());
    assertEquals(header.length(), message.contentOffset());
    assertEquals("Subject: old\r\n\r\nx\r\n".length(), message.contentLength());
  }

  @Test
  void summaryFieldsOfTheWrongShapeAreCorrupt(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    Envelope envelope = envelope(spool.newQueueId(), RECEIVED, ALICE);
    byte[] json = envelope.toJson().encode().getBytes(StandardCharsets.UTF_8);
    String body = new String(json, StandardCharsets.UTF_8) + "\nx";
    Path file = dir.resolve("incoming").resolve(envelope.queueId());
    for (String fields : List.of(" 1", " 1 0", " 0000000000000000001 zzzzzzzz", " -000000000000000001 00000000",
        " 0000000000000000001 00000000 extra")) {
      Files.writeString(file, "POSTINO1 " + json.length + fields + "\n" + body);
      assertInstanceOf(CorruptSpoolFileException.class, awaitFailure(spool.read(envelope.queueId())), fields);
    }
  }

  @Test
  void aLineAppendedAfterATornOneStaysWhole(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    Envelope envelope = envelope(spool.newQueueId(), RECEIVED, ALICE);
    await(store(vertx.getOrCreateContext(), spool, envelope, "x".getBytes(StandardCharsets.US_ASCII)));
    // a crash cut the second line short; after the restart the queue delivers and records it
    Files.writeString(dir.resolve("status").resolve(envelope.queueId()), "{\"attempt\":1}\n{\"r\":0,\"res");

    await(spool.appendStatus(envelope.queueId(), "{\"finished\":[0]}\n", true));

    assertEquals(List.of("{\"attempt\":1}", "{\"r\":0,\"res", "{\"finished\":[0]}"),
        await(spool.readStatus(envelope.queueId())));
    MessageStatus status = MessageStatus.replay(envelope.queueId(), 1, await(spool.readStatus(envelope.queueId())));
    assertTrue(status.allFinished());
  }


}
