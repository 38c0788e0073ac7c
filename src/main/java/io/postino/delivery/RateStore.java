package io.postino.delivery;

import io.vertx.core.Future;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the {@link Gcra} states of the rate limits live: this process's memory when Vert.x is not
 * clustered ({@link #local()}), the cluster otherwise ({@link HazelcastRateStore}).
 */
interface RateStore {

  /**
   * Reserves one event of {@code key}'s rate: the wait in microseconds before it may happen, or
   * -1 when that wait would be over {@code maxWait} µs (nothing is then reserved).
   */
  Future<Long> reserve(String key, Gcra rate, long maxWait);

  /** In memory; entries whose time has passed are swept now and then, so unused keys do not pile up. */
  static RateStore local() {
    ConcurrentHashMap<String, Long> states = new ConcurrentHashMap<>();
    return (key, rate, maxWait) -> {
      long now = Gcra.nowMicros();
      if (states.size() > 10_000) {
        states.values().removeIf(tat -> tat < now);
      }
      long[] wait = new long[1];
      states.compute(key, (k, tat) -> {
        Gcra.Reservation r = rate.reserve(tat, now, maxWait);
        wait[0] = r.delay();
        return r.tat();
      });
      return Future.succeededFuture(wait[0]);
    };
  }
}
