package io.postino.server;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts open SMTP connections in total and per client address, across every server verticle
 * instance (one instance of this class is shared by all of them).
 */
public final class ConnectionLimiter {

  /** Why a connection was refused, or {@link #ACCEPTED}. */
  public enum Verdict { ACCEPTED, TOO_MANY_TOTAL, TOO_MANY_FROM_CLIENT }

  private final int maxTotal;
  private volatile int maxPerClient;
  private final AtomicInteger total = new AtomicInteger();
  private final ConcurrentHashMap<String, AtomicInteger> perClient = new ConcurrentHashMap<>();

  public ConnectionLimiter(int maxTotal, int maxPerClient) {
    this.maxTotal = maxTotal;
    this.maxPerClient = maxPerClient;
  }

  /**
   * Takes a slot for a new connection from {@code client}. When the verdict is not ACCEPTED no slot
   * is held and {@link #release} must not be called.
   */
  public Verdict acquire(String client) {
    if (total.incrementAndGet() > maxTotal) {
      total.decrementAndGet();
      return Verdict.TOO_MANY_TOTAL;
    }
    // compute() makes the check and the increment one atomic step per client key
    boolean[] refused = new boolean[1];
    perClient.compute(client, (k, count) -> {
      AtomicInteger c = count == null ? new AtomicInteger() : count;
      if (c.get() >= maxPerClient) {
        refused[0] = true;
      } else {
        c.incrementAndGet();
      }
      return c.get() == 0 ? null : c;
    });
    if (refused[0]) {
      total.decrementAndGet();
      return Verdict.TOO_MANY_FROM_CLIENT;
    }
    return Verdict.ACCEPTED;
  }

  /** A new limit per client address (a reload); connections over it already open stay open. */
  public void setMaxPerClient(int maxPerClient) {
    this.maxPerClient = maxPerClient;
  }

  public void release(String client) {
    perClient.computeIfPresent(client, (k, c) -> c.decrementAndGet() == 0 ? null : c);
    total.decrementAndGet();
  }

  public int open() {
    return total.get();
  }
}
