package io.postino.server.session;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The minimum average data rate of one message's content (DATA, or a BDAT series), after a grace
 * period, as Postfix's {@code smtpd_min_data_rate}: every byte received buys {@code 1/minRate}
 * seconds on top of the grace, so the content may take {@code grace + bytes / minRate} seconds
 * so far. A client that drips one byte every few seconds keeps the idle timer from firing, but not
 * this: it is cut soon after the grace. Time the server itself spends waiting (a full spool write
 * queue) is not held against the client.
 *
 * <p>Not thread-safe: one per session, on its event loop. Times are {@link System#nanoTime} values.
 */
final class DataRateGuard {

  private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

  private final long graceNanos;
  private final long minBytesPerSecond;
  private long start;
  private long bytes;
  private long excusedNanos;

  /** @param minBytesPerSecond 0 turns the guard off */
  DataRateGuard(long graceNanos, long minBytesPerSecond) {
    this.graceNanos = graceNanos;
    this.minBytesPerSecond = minBytesPerSecond;
  }

  /** The content of a message starts now: nothing received yet. */
  void start(long now) {
    start = now;
    bytes = 0;
    excusedNanos = 0;
  }

  void received(long n) {
    bytes += n;
  }

  /** The server kept the client waiting this long: the time does not count. */
  void excuse(long nanos) {
    excusedNanos += nanos;
  }

  /** When the client becomes too slow unless more content arrives; Long.MAX_VALUE when never. */
  long deadline() {
    if (minBytesPerSecond == 0) {
      return Long.MAX_VALUE;
    }
    long earned = bytes / minBytesPerSecond;
    if (earned >= Long.MAX_VALUE / NANOS_PER_SECOND / 2) {
      return Long.MAX_VALUE;
    }
    long allowed = earned * NANOS_PER_SECOND + bytes % minBytesPerSecond * NANOS_PER_SECOND / minBytesPerSecond;
    return start + graceNanos + excusedNanos + allowed;
  }

  boolean isTooSlow(long now) {
    long deadline = deadline();
    return deadline != Long.MAX_VALUE && now - deadline >= 0;
  }

  /** For the log: what the client achieved, e.g. "40 bytes in 61.2 s". */
  String achieved(long now) {
    return String.format(Locale.ROOT, "%d bytes in %.1f s", bytes, (now - start - excusedNanos) / 1e9);
  }
}
