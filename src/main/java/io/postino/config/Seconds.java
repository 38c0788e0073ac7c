package io.postino.config;

import java.time.Duration;

/**
 * Durations in {@code conf/postino.json} are numbers of seconds, fractions allowed (so tests can
 * ask for 0.05): the one conversion every options class uses.
 */
public final class Seconds {

  private Seconds() {
  }

  /** The number of seconds written for a duration. */
  public static double of(Duration d) {
    return d.toNanos() / 1e9;
  }

  /** Checks that a duration is above zero. */
  public static Duration positive(String name, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
    return value;
  }

  /** Checks that a duration is zero or more. */
  public static Duration notNegative(String name, Duration value) {
    if (value == null || value.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative: " + value);
    }
    return value;
  }
}
