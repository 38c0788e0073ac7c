package io.postino.spool;

import static io.postino.spool.SpoolTesting.await;
import static io.postino.spool.SpoolTesting.envelope;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.postino.smtp.MailAddress;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Header fields that a {@link LeadingHeaders} computes from the content as it is written go in
 * front of the whole content at commit, whichever way the message reaches the disk (journaled in
 * one turn, written whole on a worker, or streamed over several turns); the file's recorded length
 * and checksum cover them, as a reopened spool checks.
 */
@ExtendWith(VertxExtension.class)
class LeadingHeadersTest {

  private static final MailAddress ALICE = new MailAddress("alice", "example.com");
  private static final Instant RECEIVED = Instant.parse("2026-01-02T03:04:05Z");
  private static final Buffer PREAMBLE = Buffer.buffer("Received: from x\r\n");

  @TempDir
  Path dir;

  /** Sees every octet and answers, after a worker round trip, with a field naming how many it saw. */
  private static final class Counting implements LeadingHeaders {
    final ByteArrayOutputStream seen = new ByteArrayOutputStream();
    private final Vertx vertx;

    Counting(Vertx vertx) {
      this.vertx = vertx;
    }

    @Override
    public void update(ByteBuffer content) {
      byte[] b = new byte[content.remaining()];
      content.duplicate().get(b);
      seen.write(b, 0, b.length);
    }

    @Override
    public Future<Buffer> complete() {
      int n = seen.size();
      return vertx.executeBlocking(() -> Buffer.buffer("X-Lead: " + n + "\r\n"));
    }
  }

  @Test
  void aMessageWrittenInOneTurnGetsTheFieldsInFront(Vertx vertx) throws Exception {
    byte[] content = "Subject: one\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
    assertStoredWithLead(vertx, List.of(content));
  }

  @Test
  void aLargeMessageWrittenInOneTurnGetsTheFieldsInFront(Vertx vertx) throws Exception {
    byte[] content = new byte[SpoolJournal.MAX_MESSAGE_OCTETS + 10];
    Arrays.fill(content, (byte) 'y');
    assertStoredWithLead(vertx, List.of(content));
  }

  @Test
  void aStreamedMessageIsCopiedWithTheFieldsInFront(Vertx vertx) throws Exception {
    byte[] part = new byte[100_000];
    Arrays.fill(part, (byte) 'z');
    assertStoredWithLead(vertx, List.of("Subject: s\r\n\r\n".getBytes(StandardCharsets.US_ASCII), part, part, part));
  }

  @Test
  void nothingInFrontWhenTheLeadGivesNothing(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    Envelope envelope = envelope(spool.newQueueId(), RECEIVED, ALICE);
    LeadingHeaders none = new LeadingHeaders() {
      @Override
      public void update(ByteBuffer content) {
      }

      @Override
      public Future<Buffer> complete() {
        return Future.succeededFuture();
      }
    };
    SpooledMessage message = await(write(vertx.getOrCreateContext(), spool, envelope, none,
        List.of("Subject: n\r\n\r\nn\r\n".getBytes(StandardCharsets.US_ASCII))));
    assertEquals("Received: from x\r\nSubject: n\r\n\r\nn\r\n", contentOf(spool, message));
  }

  /** Writes {@code parts}, one per event-loop turn, commits, and checks the file from a reopened spool. */
  private void assertStoredWithLead(Vertx vertx, List<byte[]> parts) throws Exception {
    Spool spool = await(Spool.open(vertx, dir));
    Envelope envelope = envelope(spool.newQueueId(), RECEIVED, ALICE);
    Counting lead = new Counting(vertx);
    SpooledMessage message = await(write(vertx.getOrCreateContext(), spool, envelope, lead, parts));

    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.write(PREAMBLE.getBytes());
    parts.forEach(p -> expected.write(p, 0, p.length));
    assertArrayEquals(expected.toByteArray(), lead.seen.toByteArray(), "the lead saw the preamble and the content");
    String lead1 = "X-Lead: " + expected.size() + "\r\n";
    byte[] stored = (lead1 + expected.toString(StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1);
    assertEquals(stored.length, message.contentLength());
    byte[] file = SpoolTesting.wholeFile(spool, message);
    assertArrayEquals(stored, Arrays.copyOfRange(file, (int) message.contentOffset(), file.length));
    // kept in memory: its file, once written, holds the same octets
    assertArrayEquals(file, Files.readAllBytes(SpoolTesting.fileOf(spool, message)));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(message.file())));
    try (Stream<Path> tmp = Files.list(dir.resolve("tmp"))) {
      assertEquals(List.of(), tmp.toList());
    }
    // a reopened spool checks the recorded length and checksum (a restart: the lock goes first)
    SpoolTesting.crash(spool, dir);
    Spool reopened = await(Spool.open(vertx, dir));
    assertEquals(message, await(reopened.read(envelope.queueId())));
  }

  private static Future<SpooledMessage> write(Context context, Spool spool, Envelope envelope, LeadingHeaders lead,
      List<byte[]> parts) {
    Promise<SpooledMessage> result = Promise.promise();
    context.runOnContext(v -> {
      SpoolWriter writer = spool.create(envelope, PREAMBLE.copy(), lead);
      writeFrom(context, writer, parts, 0, result);
    });
    return result.future();
  }

  private static void writeFrom(Context context, SpoolWriter writer, List<byte[]> parts, int i,
      Promise<SpooledMessage> result) {
    writer.write(Buffer.buffer(parts.get(i)));
    if (i == parts.size() - 1) {
      // in the same turn as the last part: a message written in one turn is committed from memory
      writer.commit().onComplete(result);
      return;
    }
    context.runOnContext(v -> writeFrom(context, writer, parts, i + 1, result));
  }

  private static String contentOf(Spool spool, SpooledMessage message) throws Exception {
    byte[] file = SpoolTesting.wholeFile(spool, message);
    return new String(file, (int) message.contentOffset(), file.length - (int) message.contentOffset(),
        StandardCharsets.ISO_8859_1);
  }
}
