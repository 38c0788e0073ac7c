package io.postino.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Messages accepted and recipients delivered, deferred and bounced per minute over the last hour:
 * the status page's chart. A ring of sixty one-minute buckets, each reset when its minute comes
 * round again. Thread-safe (one short lock: events come from every event loop).
 */
public final class Throughput {

  /** What one bucket counts. */
  public enum Kind {
    ACCEPTED, SENT, DEFERRED, BOUNCED
  }

  /** One minute's counts, in the order of {@link Kind}. */
  public record Minute(long startMillis, long[] counts) {
  }

  static final int MINUTES = 60;
  private static final long MINUTE_MILLIS = 60_000;

  private final LongSupplier clock;
  private final long[] minuteOf = new long[MINUTES];
  private final long[][] counts = new long[MINUTES][Kind.values().length];

  public Throughput() {
    this(System::currentTimeMillis);
  }

  Throughput(LongSupplier clock) {
    this.clock = clock;
  }

  public void count(Kind kind) {
    long minute = clock.getAsLong() / MINUTE_MILLIS;
    int slot = (int) (minute % MINUTES);
    synchronized (this) {
      if (minuteOf[slot] != minute) {
        minuteOf[slot] = minute;
        Arrays.fill(counts[slot], 0);
      }
      counts[slot][kind.ordinal()]++;
    }
  }

  /** The last hour, oldest minute first, the current (partial) minute last; quiet minutes as zeros. */
  public List<Minute> lastHour() {
    long now = clock.getAsLong() / MINUTE_MILLIS;
    List<Minute> hour = new ArrayList<>(MINUTES);
    synchronized (this) {
      for (long minute = now - MINUTES + 1; minute <= now; minute++) {
        int slot = (int) (minute % MINUTES);
        long[] c = minuteOf[slot] == minute ? counts[slot].clone() : new long[Kind.values().length];
        hour.add(new Minute(minute * MINUTE_MILLIS, c));
      }
    }
    return hour;
  }
}
