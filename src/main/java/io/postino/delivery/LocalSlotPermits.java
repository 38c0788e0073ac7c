package io.postino.delivery;

import io.vertx.core.Future;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link SlotPermits} of a Vert.x that is not clustered: a count per name, in memory, shared by
 * the verticle instances of the process (so one compare-and-set per connection or delivery on
 * the single-node path, nothing remote).
 */
final class LocalSlotPermits implements SlotPermits {

  private final ConcurrentHashMap<String, Integer> held = new ConcurrentHashMap<>();

  @Override
  public Future<Permit> tryAcquire(String name, int max) {
    boolean[] got = new boolean[1];
    held.compute(name, (k, n) -> {
      int count = n == null ? 0 : n;
      if (count >= max) {
        return n;
      }
      got[0] = true;
      return count + 1;
    });
    if (!got[0]) {
      return Future.succeededFuture();
    }
    AtomicBoolean released = new AtomicBoolean();
    Permit permit = () -> {
      if (released.compareAndSet(false, true)) {
        held.computeIfPresent(name, (k, n) -> n == 1 ? null : n - 1);
      }
    };
    return Future.succeededFuture(permit);
  }

  /** Places of {@code name} held now. */
  int held(String name) {
    return held.getOrDefault(name, 0);
  }
}
