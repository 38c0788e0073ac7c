package io.postino.intake;

import static io.postino.spool.SpoolTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.smtp.MailAddress;
import io.postino.smtp.MailParameters;
import io.postino.smtp.RcptParameters;
import io.postino.spool.Envelope;
import io.postino.spool.Spool;
import io.postino.spool.SpoolWriter;
import io.postino.spool.SpooledMessage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The one intake, as the SMTP session, postino.send and bounces use it. */
@ExtendWith(VertxExtension.class)
class IntakeTest {

  @TempDir
  Path dir;

  private static final MailAddress SENDER = new MailAddress("sender", "example.org");

  private static String content(SpooledMessage m) throws Exception {
    if (m.content() != null) {
      // kept in memory by the spool: it has no file yet
      return StandardCharsets.UTF_8.decode(m.content()).toString();
    }
    byte[] all = Files.readAllBytes(m.file());
    return new String(all, (int) m.contentOffset(), (int) m.contentLength(), StandardCharsets.UTF_8);
  }

  @Test
  void aMessageMadeHereIsMarkedLocalOrRelayedAndReachesTheQueueOnlyWhenHandedOff(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir.resolve("spool")));
    List<SpooledMessage> queued = new CopyOnWriteArrayList<>();
    Intake intake = new Intake(spool, "mx.example.net", "example.net"::equals, queued::add);
    String queueId = intake.newQueueId();
    Envelope envelope = intake.localEnvelope(queueId, SENDER, MailParameters.NONE,
        List.of(new MailAddress("user", "EXAMPLE.NET"), new MailAddress("other", "example.com")), "local", Instant.now());

    assertTrue(envelope.recipients().get(0).local(), "a local domain, whatever its case");
    assertFalse(envelope.recipients().get(1).local());
    assertEquals("LOCAL", envelope.protocol());

    SpooledMessage stored = await(intake.store(envelope, Buffer.buffer("Received: x\r\n"), Buffer.buffer("body\r\n")));
    assertEquals("Received: x\r\nbody\r\n", content(stored));
    assertEquals(List.of(), queued, "not before the sender is told");
    intake.handOff(stored, null);
    assertEquals(List.of(stored), queued);
  }

  @Test
  void aSessionsMessageStartsWithItsReceivedHeader(Vertx vertx) throws Exception {
    Spool spool = await(Spool.open(vertx, dir.resolve("spool")));
    Intake intake = new Intake(spool, "mx.example.net", d -> true, m -> { });
    Envelope envelope = new Envelope(intake.newQueueId(), SENDER, MailParameters.NONE,
        List.of(new Envelope.Recipient(new MailAddress("user", "example.net"),
            RcptParameters.NONE, true)),
        "client.example.org", "192.0.2.1", "ESMTP", null, Instant.now());
    Promise<SpooledMessage> judged = Promise.promise();
    vertx.runOnContext(v -> {
      SpoolWriter writer = intake.open(envelope, null, false, List.of());
      writer.write(Buffer.buffer("body\r\n"));
      intake.commitJudged(writer, Future::succeededFuture, m -> true).onComplete(judged);
    });
    SpooledMessage committed = await(judged.future());
    SpooledMessage read = await(spool.read(committed.queueId()));
    String text = content(read);
    assertTrue(text.startsWith(ReceivedHeader.format(envelope, "mx.example.net", null, false)), text);
    assertTrue(text.endsWith("body\r\n"), text);
  }
}
