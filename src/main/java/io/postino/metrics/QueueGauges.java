package io.postino.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The queue by state and the age of its oldest message, as last counted (counting lists the spool,
 * so it is done on a worker before a scrape, not per event). Thread-safe.
 */
public final class QueueGauges {

  /** One count of the queue; {@code oldestArrivalMillis} is 0 when it is empty. */
  public record Counts(int active, int deferred, int hold, long oldestArrivalMillis) {
  }

  private volatile Counts counts = new Counts(0, 0, 0, 0);

  QueueGauges(MeterRegistry registry) {
    String description = "messages in the queue: in memory being delivered (active), waiting on disk (deferred), held";
    Gauge.builder("postino.queue.messages", this, g -> g.counts.active()).tag("state", "active")
        .description(description).register(registry);
    Gauge.builder("postino.queue.messages", this, g -> g.counts.deferred()).tag("state", "deferred")
        .description(description).register(registry);
    Gauge.builder("postino.queue.messages", this, g -> g.counts.hold()).tag("state", "hold")
        .description(description).register(registry);
    Gauge.builder("postino.queue.oldest.age", this, QueueGauges::oldestAgeSeconds).baseUnit("seconds")
        .description("age of the oldest message in the queue (0 when empty)").register(registry);
  }

  public void update(Counts latest) {
    counts = latest;
  }

  public Counts counts() {
    return counts;
  }

  public double oldestAgeSeconds() {
    long oldest = counts.oldestArrivalMillis();
    return oldest <= 0 ? 0 : Math.max(0, System.currentTimeMillis() - oldest) / 1000.0;
  }
}
