package io.postino.delivery;

import java.io.Serializable;

/**
 * A rate of so many events per minute as the generic cell rate algorithm (the token bucket told
 * by one number): the state is the theoretical arrival time {@code tat} of the next event, in
 * microseconds; an event may happen once {@code tat - tolerance} has come, and pushes {@code tat}
 * one {@code interval} on. With a tolerance of {@code n - 1} intervals no minute ever sees more
 * than {@code n} events, a burst of up to {@code n} is allowed after a quiet minute, and a
 * steady flow is spaced evenly. One number per destination, and a past {@code tat} is the same as
 * none, so an entry can expire instead of being cleaned up.
 */
record Gcra(long interval, long tolerance) implements Serializable {

  /** What reserving an event found: a delay (µs), or -1 when that was too long (nothing reserved). */
  record Reservation(long delay, long tat) {
  }

  static Gcra perMinute(int events) {
    long interval = Math.max(1, 60_000_000L / events);
    return new Gcra(interval, interval * (events - 1));
  }

  /**
   * Reserves the next event at {@code now} given the state {@code tat} (null when none), unless
   * it would have to wait more than {@code maxWait}.
   */
  Reservation reserve(Long tat, long now, long maxWait) {
    long current = tat == null ? now : Math.max(tat, now);
    long wait = Math.max(0, current - tolerance - now);
    if (wait > maxWait) {
      return new Reservation(-1, current);
    }
    return new Reservation(wait, current + interval);
  }

  static long nowMicros() {
    return System.currentTimeMillis() * 1000;
  }
}
