package io.postino.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each recipient's result: {@code postino_deliveries_total} by outcome and destination domain, the
 * latency from arrival to delivery, the status page's recent deliveries and throughput. The domain
 * label is bounded: the first {@code maxDomains} domains seen get their own series, every later one
 * counts as {@code other}, so a spammer's list of domains cannot blow up the scrape. Thread-safe.
 */
public final class DeliveryMeters {

  /** A recipient's result, as the {@code outcome} label says it. */
  public enum Outcome {
    SENT("sent", Throughput.Kind.SENT), DEFERRED("deferred", Throughput.Kind.DEFERRED),
    BOUNCED("bounced", Throughput.Kind.BOUNCED);

    private final String label;
    private final Throughput.Kind kind;

    Outcome(String label, Throughput.Kind kind) {
      this.label = label;
      this.kind = kind;
    }

    public String label() {
      return label;
    }
  }

  static final String OTHER = "other";

  private final MeterRegistry registry;
  private final int maxDomains;
  private final Map<String, Counter[]> byDomain = new ConcurrentHashMap<>();
  private final Counter[] other;
  private final Timer latency;
  private final Throughput throughput;
  private final RecentDeliveries recent;

  DeliveryMeters(MeterRegistry registry, int maxDomains, Throughput throughput, RecentDeliveries recent) {
    this.registry = registry;
    this.maxDomains = maxDomains;
    this.throughput = throughput;
    this.recent = recent;
    this.other = counters(OTHER);
    latency = Timer.builder("postino.delivery.latency")
        .description("time from a message's arrival to a recipient's delivery")
        // buckets on the scale of mail, from a local delivery to the queue's lifetime: few series
        .serviceLevelObjectives(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(5),
            Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15),
            Duration.ofHours(1), Duration.ofHours(4), Duration.ofDays(1), Duration.ofDays(5))
        .register(registry);
  }

  private Counter[] counters(String domain) {
    Counter[] c = new Counter[Outcome.values().length];
    for (Outcome o : Outcome.values()) {
      c[o.ordinal()] = Counter.builder("postino.deliveries").tag("outcome", o.label).tag("domain", domain)
          .description("recipients' delivery results by destination domain (others beyond metrics.domainLabels: other)")
          .register(registry);
    }
    return c;
  }

  /**
   * One recipient's result.
   *
   * @param domain  the recipient's domain
   * @param status  the enhanced status code of the result, or null
   * @param arrival when the message arrived
   */
  public void record(Outcome outcome, String queueId, String domain, String status, Instant arrival) {
    String d = domain.toLowerCase(Locale.ROOT);
    Counter[] counters = byDomain.get(d);
    if (counters == null) {
      // a race may let a few more than maxDomains in: a bound, not an exact count
      counters = byDomain.size() >= maxDomains ? other : byDomain.computeIfAbsent(d, this::counters);
    }
    counters[outcome.ordinal()].increment();
    long now = System.currentTimeMillis();
    if (outcome == Outcome.SENT && arrival != null) {
      latency.record(Duration.ofMillis(Math.max(0, now - arrival.toEpochMilli())));
    }
    throughput.count(outcome.kind);
    recent.add(new RecentDeliveries.Entry(now, queueId, outcome.label, d, status));
  }
}
