package io.postino.metrics;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** The spool's group commit (latency and batch size) and its free space. Thread-safe. */
public final class SpoolMeters {

  private final MeterRegistry registry;
  private final Timer commit;
  private final DistributionSummary batch;

  SpoolMeters(MeterRegistry registry) {
    this.registry = registry;
    commit = Timer.builder("postino.spool.commit").description("time a group commit takes, syncs included")
        .serviceLevelObjectives(millis(1), millis(2), millis(5), millis(10), millis(25), millis(50), millis(100),
            millis(250), millis(500), millis(1000), millis(2500), millis(5000), millis(10000))
        .register(registry);
    batch = DistributionSummary.builder("postino.spool.commit.batch").baseUnit("messages")
        .description("messages made durable by one group commit").serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128)
        .register(registry);
  }

  private static Duration millis(long ms) {
    return Duration.ofMillis(ms);
  }

  /** Meters that count nothing, for a spool opened outside a node (tools, tests). */
  public static SpoolMeters none() {
    return new SpoolMeters(new CompositeMeterRegistry());
  }

  /** A batch of {@code messages} committed, started at {@code startNanos} ({@link System#nanoTime}). */
  public void committed(long startNanos, int messages) {
    commit.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    batch.record(messages);
  }

  /** Reports the spool's free octets, as last measured by {@code usable}. */
  public void freeSpace(LongSupplier usable) {
    Gauge.builder("postino.spool.free", usable, s -> s.getAsLong()).baseUnit("bytes")
        .description("free octets in the spool's file system, as last measured").strongReference(true)
        .register(registry);
  }
}
