package io.postino.queue;

import io.postino.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messages deferred because no delivery verticle took their jobs (none consumes
 * {@code postino.delivery.submit} anywhere in the cluster, or the one that had the job never
 * answered): when a delivery verticle announces itself on {@code postino.delivery.ready} (it has
 * just started: a node joined, or one came back), they are made due at once rather than waiting
 * out their backoff, which may be hours. A message still in its round when the announcement comes
 * is made due as it leaves the window, after its next attempt was written. Likewise a message
 * whose job was held by a delivery node that left the cluster ({@link JobsInFlight}) is made due
 * as its round ends. Queue context only.
 */
final class DeliveryNodeWatch {

  private static final Logger log = LoggerFactory.getLogger(DeliveryNodeWatch.class);

  private final Predicate<String> active;
  private final Function<String, Future<Boolean>> requeue;
  private final Set<String> waiting = new HashSet<>();
  private final Set<String> dueOnLeaving = new HashSet<>();
  private MessageConsumer<JsonObject> consumer;

  /**
   * @param active  whether a message is in the active window
   * @param requeue makes a message that is not in the window due now
   */
  DeliveryNodeWatch(Predicate<String> active, Function<String, Future<Boolean>> requeue) {
    this.active = active;
    this.requeue = requeue;
  }

  /** Listens for delivery verticles announcing themselves, on the caller's (the queue's) context. */
  Future<Void> start(Vertx vertx, Addresses addresses) {
    consumer = vertx.eventBus().consumer(addresses.deliveryReady(), m -> ready(m.body()));
    return consumer.completion();
  }

  Future<Void> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  /** A job of this message found no delivery verticle ({@code why}); it is deferred. */
  void noDeliveryNode(String queueId, String why) {
    if (waiting.add(queueId)) {
      log.info("{}: deferred: {}; tried again as soon as a delivery node announces itself", queueId, why);
    }
  }

  /**
   * A job of this message was held by a delivery node that left the cluster: the message is due
   * again as soon as its round ends, for another node to take it (or, if there is none, to wait
   * for one as above).
   */
  void nodeLeft(String queueId) {
    if (active.test(queueId)) {
      dueOnLeaving.add(queueId);
    } else {
      makeDue(queueId);
    }
  }

  /** A message left the window (its round is over): due now if a delivery verticle came meanwhile. */
  void left(String queueId) {
    if (dueOnLeaving.remove(queueId)) {
      makeDue(queueId);
    }
  }

  private void ready(JsonObject announcement) {
    if (waiting.isEmpty()) {
      return;
    }
    String helo = announcement == null ? null : announcement.getString("helo");
    log.info("delivery node {} is ready: {} message(s) deferred for want of one are due now",
        helo == null ? "(unnamed)" : helo, waiting.size());
    for (String queueId : waiting) {
      if (active.test(queueId)) {
        dueOnLeaving.add(queueId);
      } else {
        makeDue(queueId);
      }
    }
    waiting.clear();
  }

  private void makeDue(String queueId) {
    // a message gone since (delivered by another node, deleted) is not found, and that is fine
    requeue.apply(queueId).onFailure(e -> log.warn("{}: cannot make it due: {}", queueId, e.toString()));
  }
}
