package io.postino.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

/** The MX resolver: routes asked for, lookups sent to DNS, answers from the cache. Thread-safe. */
public final class DnsMeters {

  private final Counter lookups;
  private final Counter cacheHits;

  DnsMeters(MeterRegistry registry) {
    lookups = Counter.builder("postino.dns.lookups").description("DNS queries sent (MX, A, AAAA)").register(registry);
    cacheHits = Counter.builder("postino.dns.cache.hits").description("routes answered from the cache")
        .register(registry);
  }

  /** Meters that count nothing, for a resolver made outside a node (tools, tests). */
  public static DnsMeters none() {
    return new DnsMeters(new CompositeMeterRegistry());
  }

  public void lookup() {
    lookups.increment();
  }

  public void cacheHit() {
    cacheHits.increment();
  }
}
