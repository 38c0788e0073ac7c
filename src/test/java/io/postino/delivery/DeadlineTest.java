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
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.net.SocketException;
import java.util.List;
import java.util.Map;
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
      p.send("220 tarpit.test\r\n");
      p.expect("EHLO");
      p.send("250 tarpit.test\r\n");
      p.expect("MAIL");
      p.send("250 2.1.0 Ok\r\n");
      p.expect("RCPT");
      // no answer: whatever comes next is read until the client ends the session
      try {
        while (p.line() != null) {
          // logged by the server
        }
      } catch (SocketException reset) {
        // the client reset the session
      }
    })) {
      // the command timeout (3 s) is longer than the job's time
      deploy(Map.of("dest.test", List.of("127.0.0.1:" + tarpit.port())), fast());
      RecipientResult r = deliverBy(job("x\r\n", "bob@dest.test"), System.currentTimeMillis() + 1000)
          .results().get(0);
      assertEquals(Outcome.TRANSIENT, r.outcome(), r.toString());
      assertEquals("4.4.7", r.status(), r.toString());
      assertTrue(r.text().contains("deadline"), r.text());
      assertFalse(tarpit.lines().contains("DATA"), tarpit.lines().toString());
      tarpit.assertNoErrors();
    }
  }
}
