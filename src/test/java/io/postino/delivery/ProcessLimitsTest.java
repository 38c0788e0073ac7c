package io.postino.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.bus.Addresses;
import io.postino.bus.DeliveryJob;
import io.postino.bus.DeliveryReply;
import io.postino.bus.RecipientResult;
import io.postino.dns.MxResolverVerticle;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Without a cluster, the limits per host and per domain hold for all the delivery verticles of
 * the process together (in memory), not for each.
 */
class ProcessLimitsTest extends DeliveryTestBase {

  @Test
  void twoInstancesKeepToOneHostLimitBetweenThem() throws Exception {
    try (CountingDestination destination = new CountingDestination().holdGreetings(3, 300)) {
      vertx.deployVerticle(new MxResolverVerticle(Addresses.DEFAULT,
          mx().setRoutes(Map.of("dest.test", List.of("127.0.0.1:" + destination.port()))))).await();
      OutboundOptions options = fast().setMaxConnectionsPerHost(2);
      for (int i = 0; i < 2; i++) {
        vertx.deployVerticle(new DeliveryVerticle(Addresses.DEFAULT, options, "postino.test", dir)).await();
      }
      List<Future<RecipientResult>> results = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        results.add(vertx.eventBus().<JsonObject>request(Addresses.DEFAULT.deliverySubmit(),
                job("Subject: " + i + "\r\n\r\nhi\r\n", "rcpt" + i + "@dest.test").toJson(),
                new DeliveryOptions().setSendTimeout(20_000))
            .map(m -> DeliveryReply.fromJson(m.body()).results().get(0)));
      }
      for (RecipientResult r : Future.all(results).await().<RecipientResult>list()) {
        assertEquals(RecipientResult.Outcome.DELIVERED, r.outcome(), r.toString());
      }
      assertEquals(12, destination.delivered());
      assertTrue(destination.maxOpen() <= 2, "the destination saw " + destination.maxOpen() + " connections at once");
      destination.assertNoErrors();
    }
  }

  @Test
  void aConnectionRateDefersWhatWouldWaitPastTheDeadline() throws Exception {
    try (CountingDestination destination = new CountingDestination()) {
      // one new connection a minute, and none reused: the second message's turn is a minute away
      deploy(Map.of("dest.test", List.of("127.0.0.1:" + destination.port())), fast().setMaxMessagesPerConnection(1)
          .setLimits(new DestinationLimits().setConnectionsPerMinute(1)));
      assertEquals(RecipientResult.Outcome.DELIVERED, submit("first@dest.test").outcome());
      RecipientResult second = submit("second@dest.test");
      assertEquals(RecipientResult.Outcome.TRANSIENT, second.outcome(), second.toString());
      assertEquals("4.7.0", second.status());
      assertTrue(second.text().contains("connection rate limit reached (1 per minute)"), second.text());
      assertEquals(1, destination.connections());
    }
  }

  private RecipientResult submit(String recipient) throws Exception {
    DeliveryOptions deadline = new DeliveryOptions().setSendTimeout(20_000)
        .addHeader(DeliveryJob.DEADLINE_HEADER, Long.toString(System.currentTimeMillis() + 10_000));
    return DeliveryReply.fromJson(vertx.eventBus().<JsonObject>request(Addresses.DEFAULT.deliverySubmit(),
        job("Subject: x\r\n\r\nhi\r\n", recipient).toJson(), deadline).await().body()).results().get(0);
  }
}
