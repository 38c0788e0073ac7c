package io.postino.delivery;

import io.vertx.core.Future;

/**
 * Places per destination shared by every delivery verticle of a process, or of a cluster: at
 * most {@code max} holders of a name at once. Waiting is the caller's ({@link SharedLimits}).
 */
interface SlotPermits {

  /** One place; given back once with {@link #release} (again is harmless). */
  interface Permit {
    void release();
  }

  /** A permit for one of the {@code max} places of {@code name}, or null when all are taken. */
  Future<Permit> tryAcquire(String name, int max);

  /**
   * Gives every place that this node keeps for its next deliveries back at once (the delivery
   * verticle stops). Only places shared with other nodes are kept.
   */
  default void releaseIdle() {
  }
}
