package io.postino.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.bus.DeliveryEvent;
import io.postino.bus.InboundEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training's second part, seen from outside the workload: the queue it fills while the
 * destination is down is relayed, after the restart, to the third node, which delivers every
 * message to its Maildir; the restarted node records each as delivered and keeps nothing queued.
 */
class TrainingWorkloadTest {

  private static final int MESSAGES = 6;

  @TempDir
  Path dir;

  @Test
  void theQueueFilledWhileTheDestinationWasDownIsRelayedThereAfterTheRestart() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      List<InboundEvent> arrived = new CopyOnWriteArrayList<>();
      List<DeliveryEvent> results = new CopyOnWriteArrayList<>();
      CompletableFuture<Void> allArrived = new CompletableFuture<>();
      CompletableFuture<Void> allResults = new CompletableFuture<>();
      vertx.eventBus().<JsonObject>consumer("train-third.inbound", m -> {
        arrived.add(InboundEvent.fromJson(m.body()));
        if (arrived.size() == MESSAGES) {
          allArrived.complete(null);
        }
      }).completion().await();
      vertx.eventBus().<JsonObject>consumer("train-queued.delivery.events", m -> {
        results.add(DeliveryEvent.fromJson(m.body()));
        if (results.size() == 2 * MESSAGES) {
          allResults.complete(null);
        }
      }).completion().await();

      new TrainingWorkload(MESSAGES, 2).run(vertx, dir);
      allArrived.get(60, TimeUnit.SECONDS);
      allResults.get(60, TimeUnit.SECONDS);

      for (InboundEvent e : arrived) {
        assertEquals(1, e.mailboxes().size(), e.toString());
        assertEquals("user@plain.train", e.mailboxes().get(0).recipient());
        String copy = Files.readString(Path.of(e.mailboxes().get(0).path()));
        assertTrue(copy.contains("Subject: training "), copy);
      }
      // each message deferred once while the destination was down, then delivered by the restarted node
      assertEquals(List.of(DeliveryEvent.Type.DEFERRED), results.subList(0, MESSAGES).stream()
          .map(DeliveryEvent::event).distinct().toList(), results.toString());
      List<DeliveryEvent> delivered = results.subList(MESSAGES, 2 * MESSAGES);
      assertEquals(List.of(DeliveryEvent.Type.DELIVERED), delivered.stream().map(DeliveryEvent::event).distinct().toList(),
          results.toString());
      assertEquals(MESSAGES, delivered.stream().map(DeliveryEvent::queueId).distinct().count(), results.toString());
      for (DeliveryEvent d : delivered) {
        assertTrue(d.result().remote(), d.toString());
        assertEquals("127.0.0.1", d.result().address(), d.toString());
        assertEquals(2, d.attempt(), d.toString());
      }
      try (Stream<Path> left = Files.walk(dir.resolve("queued/spool/incoming"))) {
        assertEquals(List.of(), left.filter(Files::isRegularFile).toList());
      }
    } finally {
      vertx.close().await();
    }
  }
}
