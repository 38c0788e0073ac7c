package io.postino.delivery;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Lock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link SlotPermits} of a clustered Vert.x: the {@code max} places of a name are the cluster-wide
 * locks {@code name#0} to {@code name#max-1} (Vert.x shared data), a permit holding one of them.
 *
 * <p>Why locks and not counters: a counter that a node incremented stays incremented when the
 * node dies, and the places it held would be lost to the cluster until someone repaired it. A
 * lock belongs to the cluster member that took it, and the Hazelcast cluster manager releases the
 * locks of a member that leaves or dies as soon as the others see it gone; so places never leak,
 * without leases to renew or per-node accounting to clean up. A free place is found by trying the
 * slots without waiting, from a random one so that nodes do not all start at {@code #0}; when
 * none is free the caller tries again a little later (see {@link SharedLimits}), so waiting is
 * not first-come first-served across the cluster. A lower {@code max} (a throttled domain) is
 * simply fewer slots: holders of slots above it keep them until they give them back.
 *
 * <p>Hazelcast's map locks are re-entrant for the thread that holds them and Vert.x releases
 * them later on another thread: a worker thread of this node could otherwise "take" a slot this
 * node already holds, or one whose release is still queued. So a slot this node holds, or gave
 * back less than {@link #QUARANTINE_MILLIS} ago, is never tried by this node.
 */
final class LockSlotPermits implements SlotPermits {

  static final long QUARANTINE_MILLIS = 1000;

  private final Vertx vertx;
  /** The slots this node holds or tries, or gave back within the quarantine. */
  private final Set<String> mine = ConcurrentHashMap.newKeySet();

  LockSlotPermits(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public Future<Permit> tryAcquire(String name, int max) {
    return trySlot(name, max, ThreadLocalRandom.current().nextInt(max), 0);
  }

  private Future<Permit> trySlot(String name, int max, int first, int tried) {
    if (tried == max) {
      return Future.succeededFuture();
    }
    String slot = name + '#' + ((first + tried) % max);
    if (!mine.add(slot)) {
      return trySlot(name, max, first, tried + 1);
    }
    return vertx.sharedData().getLockWithTimeout(slot, 0).transform(ar -> {
      if (ar.failed()) {
        // taken by another node (or the cluster cannot say): try the next slot
        mine.remove(slot);
        return trySlot(name, max, first, tried + 1);
      }
      return Future.succeededFuture(permit(slot, ar.result()));
    });
  }

  private Permit permit(String slot, Lock lock) {
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        lock.release();
        vertx.setTimer(QUARANTINE_MILLIS, id -> mine.remove(slot));
      }
    };
  }
}
