package io.postino.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.postino.smtp.MailAddress;
import io.postino.smtp.MailParameters;
import io.postino.smtp.RcptParameters;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Jobs and replies within one process travel as the records; on the wire, as their JSON. */
class InProcessCodecsTest {

  private static final DeliveryJob JOB = new DeliveryJob("01HV5Q8Z3K2M4AB", "example.com",
      new MailAddress("alice", "example.org"),
      new MailParameters(2048, MailParameters.Body.EIGHT_BIT_MIME, false, null, MailParameters.Ret.HDRS, "x1"),
      List.of(new DeliveryJob.Recipient(new MailAddress("bob", "example.com"),
          new RcptParameters(EnumSet.of(RcptParameters.Notify.FAILURE), "rfc822;bob@example.com"))),
      DeliveryJob.Content.inline(Buffer.buffer("Subject: hi\r\n\r\nhello\r\n")));

  private static final DeliveryReply REPLY = new DeliveryReply(JOB.queueId(), JOB.domain(), List.of(
      new RecipientResult(new MailAddress("bob", "example.com"), RecipientResult.Outcome.PERMANENT, 550, "5.1.1",
          "<bob@example.com>: User unknown", true, "mx1.example.com", "192.0.2.1")));

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void aJobAndItsReplyReachTheOtherSideAsTheSameRecords() {
    InProcessCodecs.register(vertx);
    // a second Postino of the same Vert.x registers them again
    InProcessCodecs.register(vertx);
    Object[] received = new Object[1];
    vertx.eventBus().consumer("jobs", m -> {
      received[0] = m.body();
      m.reply(REPLY);
    }).completion().await();

    Message<Object> reply = vertx.eventBus().request("jobs", JOB).await();

    assertSame(JOB, received[0]);
    assertSame(REPLY, reply.body());
  }

  @Test
  void onTheWireTheyAreTheirJson() {
    Buffer wire = Buffer.buffer();
    InProcessCodecs.JOBS.encodeToWire(wire, JOB);
    InProcessCodecs.REPLIES.encodeToWire(wire, REPLY);

    DeliveryJob job = InProcessCodecs.JOBS.decodeFromWire(0, wire);
    DeliveryReply reply = InProcessCodecs.REPLIES.decodeFromWire(4 + wire.getInt(0), wire);

    assertEquals(JOB.toJson(), job.toJson());
    assertEquals(REPLY.toJson(), reply.toJson());
  }
}
