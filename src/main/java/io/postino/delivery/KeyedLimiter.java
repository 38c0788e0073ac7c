package io.postino.delivery;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * At most so many holders per key at once (deliveries per recipient domain), the number given
 * with each request; the others wait in arrival order. Not thread-safe: used from one event loop.
 */
final class KeyedLimiter {

  private static final class State {
    int holders;
    final ArrayDeque<Promise<Void>> waiting = new ArrayDeque<>();
  }

  private final Map<String, State> states = new HashMap<>();

  /**
   * Completes when the caller holds one of the key's {@code max} places; give it back with
   * {@link #release}.
   */
  Future<Void> acquire(String key, int max) {
    State s = states.computeIfAbsent(key, k -> new State());
    if (s.holders < max) {
      s.holders++;
      return Future.succeededFuture();
    }
    Promise<Void> p = Promise.promise();
    s.waiting.add(p);
    return p.future();
  }

  void release(String key) {
    State s = states.get(key);
    if (s == null) {
      throw new IllegalStateException("release without acquire: " + key);
    }
    Promise<Void> next = s.waiting.poll();
    if (next != null) {
      // the place passes straight to the next waiter
      next.complete();
      return;
    }
    if (--s.holders == 0) {
      states.remove(key);
    }
  }
}
