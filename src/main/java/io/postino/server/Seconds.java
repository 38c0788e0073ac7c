package io.postino.server;

import io.vertx.core.json.JsonObject;
import java.time.Duration;

/** Durations in the JSON configuration: a number of seconds, fractions allowed. */
public final class Seconds {

  private Seconds() {
  }

  /** The duration under {@code key}, or {@code def} when the key is absent. */
  public static Duration get(JsonObject json, String key, Duration def) {
    Number n = json.getNumber(key);
    if (n == null) {
      return def;
    }
    return Duration.ofNanos(Math.round(n.doubleValue() * 1e9));
  }

  public static double of(Duration d) {
    return d.toNanos() / 1e9;
  }

  public static Duration positive(String name, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
    return value;
  }
}
