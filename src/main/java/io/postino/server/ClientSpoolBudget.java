package io.postino.server;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Spool space held by unfinished messages, per client address, across every session, listener and
 * event loop: how much disk one anonymous address can occupy with messages it has not finished
 * (and may never finish). Without it that is {@code maxConnectionsPerClient x maxMessageSize},
 * 2.5 GB per address with the defaults. Thread-safe.
 */
public final class ClientSpoolBudget {

  private final long maxPerClient;
  private final ConcurrentHashMap<String, Long> held = new ConcurrentHashMap<>();

  /** @param maxPerClient bytes one address may hold; 0 for no limit */
  public ClientSpoolBudget(long maxPerClient) {
    if (maxPerClient < 0) {
      throw new IllegalArgumentException("maxPerClient must be >= 0: " + maxPerClient);
    }
    this.maxPerClient = maxPerClient;
  }

  /** True when the client could start a message of {@code size} octets (0: not declared) now. */
  public boolean fits(String client, long size) {
    return maxPerClient == 0 || held.getOrDefault(client, 0L) + Math.max(1, size) <= maxPerClient;
  }

  /** Takes {@code n} more bytes for the client; false, taking nothing, when that would pass the limit. */
  public boolean take(String client, long n) {
    if (maxPerClient == 0) {
      return true;
    }
    boolean[] taken = new boolean[1];
    held.compute(client, (k, old) -> {
      long now = old == null ? 0 : old;
      taken[0] = now + n <= maxPerClient;
      return taken[0] ? now + n : old;
    });
    return taken[0];
  }

  /** Gives back bytes taken for a message now committed or thrown away. */
  public void give(String client, long n) {
    if (maxPerClient == 0 || n == 0) {
      return;
    }
    held.computeIfPresent(client, (k, old) -> old - n <= 0 ? null : old - n);
  }

  /** Bytes the client holds now (for tests and the log). */
  public long held(String client) {
    return held.getOrDefault(client, 0L);
  }
}
