package io.postino.server.auth;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

/**
 * Failed AUTH attempts per client address, over all sessions, listeners and event loops: a client
 * that reaches the limit is refused until its window (counted from its first failure) has passed.
 * Thread-safe. A success does not clear the count, or one valid account would let a client try
 * any number of passwords for the others.
 */
final class FailureCounter {

  /** Entries are pruned of expired windows when the map grows past this. */
  private static final int PRUNE_AT = 10_000;

  private record Window(long start, int failures) {
  }

  private final int max;
  private final long windowNanos;
  private final LongSupplier clock;
  private final ConcurrentHashMap<String, Window> clients = new ConcurrentHashMap<>();

  private volatile long lastPrune = Long.MIN_VALUE / 2;

  FailureCounter(int max, Duration window, LongSupplier nanoClock) {
    this.max = max;
    this.windowNanos = window.toNanos();
    this.clock = nanoClock;
  }

  /** True when the client has used up its failures for now. */
  boolean isBlocked(String client) {
    Window w = clients.get(client);
    return w != null && w.failures >= max && clock.getAsLong() - w.start < windowNanos;
  }

  /**
   * Counts a failure before the check it stands for, unless the client is blocked: false then, and
   * nothing is counted. A check that succeeds gives its failure back with {@link #release}. Counted
   * when the check starts, not when it ends, so that parallel sessions from one address cannot all
   * be checked while none of their failures has been counted yet.
   */
  boolean reserve(String client) {
    boolean[] reserved = new boolean[1];
    count(client, old -> {
      reserved[0] = old.failures < max;
      return reserved[0] ? new Window(old.start, old.failures + 1) : old;
    });
    return reserved[0];
  }

  /** Gives back a failure counted by {@link #reserve} for a check that succeeded. */
  void release(String client) {
    // none left: the entry goes, so the window of a later failure starts with that failure
    clients.computeIfPresent(client, (k, old) -> old.failures <= 1 ? null : new Window(old.start, old.failures - 1));
  }

  /** Counts one failure; true when the client is now blocked. */
  boolean fail(String client) {
    return count(client, old -> new Window(old.start, old.failures + 1)).failures >= max;
  }

  /** Applies {@code next} to the client's current window (a fresh one when it has none or it expired). */
  private Window count(String client, UnaryOperator<Window> next) {
    long now = clock.getAsLong();
    // pruning scans every client: at most once a quarter window, or a flood of addresses would
    // make each failure a full scan on the event loop
    if (clients.size() >= PRUNE_AT && now - lastPrune >= windowNanos / 4) {
      lastPrune = now;
      clients.values().removeIf(w -> now - w.start >= windowNanos);
    }
    return clients.compute(client, (k, old) -> next.apply(old == null || now - old.start >= windowNanos
        ? new Window(now, 0) : old));
  }
}
