package io.postino.delivery;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.shareddata.Lock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>A place a delivery gives back is <em>parked</em>: the node keeps its lock for the node's next
 * delivery to that destination, which takes it without asking the cluster, and unlocks it only
 * when no delivery took it for {@link #PARK_MILLIS} (other nodes that wait for it get it then),
 * or when a delivery verticle of the node stops ({@link #releaseIdle}).
 * A parked place is one entry of {@link #parked}, removed by whoever takes it, so two deliveries
 * never hold it at once. So that a busy node does not keep places forever while another starves,
 * a place held since more than {@link #MAX_HOLD_MILLIS} (plus up to as much again, at random, so
 * that places taken together do not come back together) goes back to the cluster when its
 * delivery ends, and this node does not retake it for {@link #QUARANTINE_MILLIS}: a node that
 * waits gets it first. The price, for a node alone, is each place idle for that second every
 * 5 to 10 s.
 *
 * <p>Hazelcast's map locks are re-entrant for the thread that holds them, and Vert.x unlocks them
 * later on another thread, with nothing to tell when: a worker thread of this node could
 * otherwise "take" a slot this node holds or parks, or one whose unlock is still queued. So a slot
 * this node holds, parks, or gave back less than {@link #QUARANTINE_MILLIS} ago, is never tried
 * by this node. The timers that end parking and quarantine run on a context of this object's
 * own: undeploying the verticle whose delivery parked a place must not cancel its release.
 */
final class LockSlotPermits implements SlotPermits {

  private static final Logger log = LoggerFactory.getLogger(LockSlotPermits.class);

  static final long QUARANTINE_MILLIS = 1000;
  /** More than the longest pause between two tries of a waiting delivery ({@link SharedLimits}). */
  static final long PARK_MILLIS = 300;
  static final long MAX_HOLD_MILLIS = 5000;

  /** The claim of a slot this node holds, parks or tries (otherwise: the end of its quarantine). */
  private static final Long HELD = Long.MAX_VALUE;

  /** A slot this node took from the cluster, until it gives it back. */
  private record Place(String slot, Lock lock, long holdUntil) { }

  /** A place between two deliveries; its own identity, so that a stale timer cannot end a later parking. */
  private static final class Parked {
    final Place place;

    Parked(Place place) {
      this.place = place;
    }
  }

  private final Vertx vertx;
  private final ContextInternal timers;
  /** Slot: {@link #HELD}, or the time (epoch ms) until which it is not tried after being given back. */
  private final ConcurrentHashMap<String, Long> claims = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Parked> parked = new ConcurrentHashMap<>();
  private final LongAdder taken = new LongAdder();
  private volatile long parkMillis = PARK_MILLIS;
  private volatile long holdMillis = MAX_HOLD_MILLIS;

  LockSlotPermits(Vertx vertx) {
    this.vertx = vertx;
    this.timers = ((VertxInternal) vertx).createEventLoopContext();
  }

  @Override
  public Future<Permit> tryAcquire(String name, int max) {
    if (!parked.isEmpty()) {
      for (int i = 0; i < max; i++) {
        Parked p = parked.remove(name + '#' + i);
        if (p != null) {
          return Future.succeededFuture(permit(p.place));
        }
      }
    }
    return trySlot(name, max, ThreadLocalRandom.current().nextInt(max), 0);
  }

  @Override
  public void releaseIdle() {
    parked.forEach((slot, p) -> {
      if (parked.remove(slot, p)) {
        giveBack(p.place);
      }
    });
  }

  /** Places taken from the cluster so far (not counting the parked places deliveries took again). */
  long taken() {
    return taken.sum();
  }

  /** How long a place stays parked without a taker (tests choose a long one to see what else releases it). */
  void parkFor(long millis) {
    this.parkMillis = millis;
  }

  /** How long at least a place is held before it goes back to the cluster (tests choose a short one). */
  void holdFor(long millis) {
    this.holdMillis = millis;
  }

  private Future<Permit> trySlot(String name, int max, int first, int tried) {
    if (tried == max) {
      return Future.succeededFuture();
    }
    String slot = name + '#' + ((first + tried) % max);
    if (!claim(slot)) {
      return trySlot(name, max, first, tried + 1);
    }
    return vertx.sharedData().getLockWithTimeout(slot, 0).transform(ar -> {
      if (ar.failed()) {
        // taken by another node (or the cluster cannot say): try the next slot
        claims.remove(slot, HELD);
        return trySlot(name, max, first, tried + 1);
      }
      taken.increment();
      long hold = holdMillis + ThreadLocalRandom.current().nextLong(holdMillis);
      return Future.succeededFuture(permit(new Place(slot, ar.result(), System.currentTimeMillis() + hold)));
    });
  }

  /** Whether this node may try {@code slot} now; if so, it is {@link #HELD} from now on. */
  private boolean claim(String slot) {
    long now = System.currentTimeMillis();
    boolean[] claimed = new boolean[1];
    claims.compute(slot, (k, until) -> {
      if (until != null && until > now) {
        return until;
      }
      claimed[0] = true;
      return HELD;
    });
    return claimed[0];
  }

  private Permit permit(Place place) {
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        park(place);
      }
    };
  }

  private void park(Place place) {
    if (System.currentTimeMillis() >= place.holdUntil()) {
      giveBack(place);
      return;
    }
    Parked p = new Parked(place);
    parked.put(place.slot(), p);
    timers.setTimer(parkMillis, id -> {
      if (parked.remove(place.slot(), p)) {
        giveBack(place);
      }
    });
  }

  private void giveBack(Place place) {
    String slot = place.slot();
    Long until = System.currentTimeMillis() + QUARANTINE_MILLIS;
    claims.put(slot, until);
    try {
      place.lock().release();
    } catch (RuntimeException e) {
      // the node is leaving the cluster, which frees its locks anyway
      log.debug("could not unlock {}: {}", slot, e.toString());
    }
    timers.setTimer(QUARANTINE_MILLIS, id -> claims.remove(slot, until));
  }
}
