package io.postino.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Sixty one-minute buckets: counted in the current minute, reset when their minute comes round again. */
class ThroughputTest {

  private final AtomicLong now = new AtomicLong(1_000 * 60_000L + 5_000);
  private final Throughput throughput = new Throughput(now::get);

  @Test
  void eachMinuteCountsItsOwnEventsAndAnHourLaterItsSlotStartsAfresh() {
    throughput.count(Throughput.Kind.ACCEPTED);
    throughput.count(Throughput.Kind.ACCEPTED);
    throughput.count(Throughput.Kind.SENT);
    now.addAndGet(60_000);
    throughput.count(Throughput.Kind.BOUNCED);

    List<Throughput.Minute> hour = throughput.lastHour();
    assertEquals(60, hour.size());
    assertEquals(1_001 * 60_000L, hour.get(59).startMillis());
    assertArrayEquals(new long[] {0, 0, 0, 1}, hour.get(59).counts());
    assertArrayEquals(new long[] {2, 1, 0, 0}, hour.get(58).counts());
    assertArrayEquals(new long[] {0, 0, 0, 0}, hour.get(0).counts());

    // an hour later the first minute's slot is the current one again: its old counts are gone
    now.addAndGet(59 * 60_000L);
    throughput.count(Throughput.Kind.DEFERRED);
    hour = throughput.lastHour();
    assertArrayEquals(new long[] {0, 0, 1, 0}, hour.get(59).counts());
    assertArrayEquals(new long[] {0, 0, 0, 1}, hour.get(0).counts(), "the bounce of 59 minutes ago");
    assertEquals(2, hour.stream().filter(m -> java.util.Arrays.stream(m.counts()).sum() > 0).count());
  }
}
