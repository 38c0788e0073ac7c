package io.postino.queue;

import io.postino.bus.Addresses;
import io.postino.bus.DeliveryEvent;
import io.postino.bus.RecipientResult.Outcome;
import io.postino.bus.RecipientResult;
import io.postino.metrics.DeliveryMeters;
import io.postino.spool.CorruptSpoolFileException;
import io.postino.spool.SpooledMessage;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the queue tells the world besides the mail itself: a delivery event per recipient touched
 * in a round ({@code postino.delivery.events}), and a notice when a spool file had to be set aside
 * as corrupt ({@code postino.queue.corrupt}, with a WARN line for the postmaster: the message in it
 * is not delivered, and nobody else learns of it).
 */
final class QueueEvents {

  private static final Logger log = LoggerFactory.getLogger(QueueEvents.class);

  private static final Map<DeliveryEvent.Type, DeliveryMeters.Outcome> OUTCOMES = Map.of(
      DeliveryEvent.Type.DELIVERED, DeliveryMeters.Outcome.SENT, DeliveryEvent.Type.DEFERRED, DeliveryMeters.Outcome.DEFERRED,
      DeliveryEvent.Type.BOUNCED, DeliveryMeters.Outcome.BOUNCED);

  private final Vertx vertx;
  private final Addresses addresses;
  private final DeliveryMeters meters;

  QueueEvents(Vertx vertx, Addresses addresses, DeliveryMeters meters) {
    this.vertx = vertx;
    this.addresses = addresses;
    this.meters = meters;
  }

  /** One event per recipient of {@code results}; those in {@code bounced} are reported as bounced. */
  void delivery(SpooledMessage message, int attempt, Map<Integer, RecipientResult> results, List<Integer> bounced,
      Instant nextAttempt) {
    results.forEach((i, r) -> {
      DeliveryEvent.Type type = bounced.contains(i) ? DeliveryEvent.Type.BOUNCED
          : r.outcome() == Outcome.DELIVERED ? DeliveryEvent.Type.DELIVERED
          : r.outcome() == Outcome.TRANSIENT ? DeliveryEvent.Type.DEFERRED
          : DeliveryEvent.Type.BOUNCED;
      DeliveryEvent event = new DeliveryEvent(type, message.queueId(), message.envelope().sender(), attempt,
          type == DeliveryEvent.Type.DEFERRED ? nextAttempt : null, r);
      // counted first: whoever hears the event finds it in the figures
      meters.record(OUTCOMES.get(type), message.queueId(), r.recipient().domain(), r.status(), message.envelope().received());
      vertx.eventBus().publish(addresses.deliveryEvents(), event.toJson());
    });
  }

  /** A message file found corrupt when the queue loaded it. */
  void corrupt(CorruptSpoolFileException e, Path spoolDirectory) {
    Path where = spoolDirectory.resolve("corrupt");
    log.warn("postmaster: {}: spool file is corrupt ({}); set aside in {} and not delivered", e.queueId(), e.reason(),
        where);
    vertx.eventBus().publish(addresses.queueCorrupt(), new JsonObject()
        .put("version", 1)
        .put("event", "corrupt")
        .put("queueId", e.queueId())
        .put("reason", e.reason())
        .put("directory", where.toString()));
  }
}
