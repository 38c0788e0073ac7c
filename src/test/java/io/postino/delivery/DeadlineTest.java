package io.postino.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.bus.Addresses;
import io.postino.bus.DeliveryJob;
import io.postino.bus.DeliveryReply;
import io.postino.bus.RecipientResult;
import io.postino.bus.RecipientResult.Outcome;
import io.postino.testing.ScriptedServer;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The queue's deadline is kept inside the transaction: a destination that stalls before the end
 * of data has its session reset in time, never gets the end of data, and the recipients come
 * back for a retry (4.4.7) before the queue gives up on the job.
 */
class DeadlineTest extends DeliveryTestBase {

  private DeliveryReply deliverBy(DeliveryJob job, long deadline) {
    JsonObject body = vertx.eventBus().<JsonObject>request(Addresses.DEFAULT.deliverySubmit(), job.toJson(),
        new DeliveryOptions().setSendTimeout(20_000).addHeader(DeliveryJob.DEADLINE_HEADER, Long.toString(deadline)))
        .await().body();
    return DeliveryReply.fromJson(body);
  }

  @Test
  void aTarpitIsResetBeforeTheDeadlineAndNeverGetsTheEndOfData() throws Exception {
    try (ScriptedServer tarpit = new ScriptedServer(p -> {
      try {
        p.send("220 tarpit.test\r\n");
        p.expect("EHLO");
        p.send("250 tarpit.test\r\n");
        p.expect("MAIL");
        p.send("250 2.1.0 Ok\r\n");
        p.expect("RCPT");
        // no answer: whatever comes next is read until the client ends the session
        while (p.line() != null) {
          // logged by the server
        }
      } catch (SocketException reset) {
        // the client reset the session
      }
    })) {
      // the command timeout is far longer than the job's time
      deploy(Map.of("dest.test", List.of("127.0.0.1:" + tarpit.port())), fast().setCommandTimeout(Duration.ofSeconds(10)));
      RecipientResult r = deliverBy(job("x\r\n", "bob@dest.test"), System.currentTimeMillis() + 2000)
          .results().get(0);
      assertEquals(Outcome.TRANSIENT, r.outcome(), r.toString());
      assertEquals("4.4.7", r.status(), r.toString());
      assertTrue(r.text().contains("deadline"), r.text());
      assertFalse(tarpit.lines().contains("DATA"), tarpit.lines().toString());
      tarpit.assertNoErrors();
    }
  }

  @Test
  void aRecipientAlreadyUnderWayIsNotRunAgainAtTheSameTime() throws Exception {
    CountDownLatch rcptSeen = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (ScriptedServer slow = new ScriptedServer(p -> {
      p.send("220 slow.test\r\n");
      p.expect("EHLO");
      p.send("250 slow.test\r\n");
      p.expect("MAIL");
      p.send("250 2.1.0 Ok\r\n");
      p.expect("RCPT");
      rcptSeen.countDown();
      release.await(10, TimeUnit.SECONDS);
      p.send("250 2.1.5 Ok\r\n");
      p.expect("DATA");
      p.send("354 go ahead\r\n");
      p.data();
      p.send("250 2.0.0 queued\r\n");
      p.line();
    })) {
      deploy(Map.of("dest.test", List.of("127.0.0.1:" + slow.port())), fast());
      DeliveryJob job = job("x\r\n", "bob@dest.test");
      Future<JsonObject> first = vertx.eventBus().<JsonObject>request(Addresses.DEFAULT.deliverySubmit(), job.toJson(),
          new DeliveryOptions().setSendTimeout(20_000)).map(m -> m.body());
      assertTrue(rcptSeen.await(10, TimeUnit.SECONDS));
      // the same message and recipient again, as a queue that gave up on the first job would send it
      RecipientResult again = deliver(job("x\r\n", "bob@dest.test")).results().get(0);
      assertEquals(Outcome.TRANSIENT, again.outcome(), again.toString());
      assertEquals("4.4.5", again.status(), again.toString());
      release.countDown();
      assertEquals(Outcome.DELIVERED, DeliveryReply.fromJson(first.await()).results().get(0).outcome());
      assertEquals(1, slow.lines().stream().filter(l -> l.startsWith("RCPT TO:<bob@")).count(), slow.lines().toString());
    }
  }
}
