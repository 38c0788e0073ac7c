package io.postino.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Outcomes by a bounded set of domains, latency of deliveries only, the recent ring for the status page. */
class DeliveryMetersTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final PostinoMetrics metrics = new PostinoMetrics(registry,
      new MetricsOptions().setDomainLabels(2).setRecentDeliveries(3));

  private double count(String outcome, String domain) {
    var counter = registry.find("postino.deliveries").tags("outcome", outcome, "domain", domain).counter();
    return counter == null ? Double.NaN : counter.count();
  }

  @Test
  void domainsBeyondTheLimitShareTheOtherSeries() {
    DeliveryMeters d = metrics.deliveries();
    Instant now = Instant.now();
    d.record(DeliveryMeters.Outcome.SENT, "Q1", "A.example", "2.0.0", now);
    d.record(DeliveryMeters.Outcome.DEFERRED, "Q2", "b.example", "4.4.1", now);
    d.record(DeliveryMeters.Outcome.BOUNCED, "Q3", "c.example", "5.1.1", now);
    d.record(DeliveryMeters.Outcome.SENT, "Q4", "d.example", "2.0.0", now);
    d.record(DeliveryMeters.Outcome.SENT, "Q5", "a.example", "2.0.0", now);

    assertEquals(2.0, count("sent", "a.example"), "domains are compared in lower case");
    assertEquals(1.0, count("deferred", "b.example"));
    assertEquals(1.0, count("bounced", "other"));
    assertEquals(1.0, count("sent", "other"));
    assertNull(registry.find("postino.deliveries").tag("domain", "c.example").counter());
    assertEquals(3, registry.find("postino.deliveries").tag("outcome", "sent").counters().size(),
        "a.example, b.example and other: no more series whatever the domains");
    assertEquals(3, registry.get("postino.delivery.latency").timer().count(), "deliveries only, not failures");
  }

  @Test
  void theRecentOnesAreKeptNewestFirstWithTheirDomainOnly() {
    DeliveryMeters d = metrics.deliveries();
    for (int i = 1; i <= 4; i++) {
      d.record(DeliveryMeters.Outcome.SENT, "Q" + i, "d" + i + ".example", "2.0.0", null);
    }
    List<RecentDeliveries.Entry> recent = metrics.recentDeliveries().entries();
    assertEquals(List.of("Q4", "Q3", "Q2"), recent.stream().map(RecentDeliveries.Entry::queueId).toList());
    assertEquals("d4.example", recent.get(0).domain());
    assertEquals(0, registry.get("postino.delivery.latency").timer().count(), "no arrival time, no latency");
  }
}
