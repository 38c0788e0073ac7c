package io.postino.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * The last deliveries, deferrals and bounces, newest first, for the status page. Holds the
 * destination domain only, never the address: the page may be open to every local user.
 * Thread-safe.
 */
public final class RecentDeliveries {

  /**
   * One recipient's result.
   *
   * @param outcome {@code sent}, {@code deferred} or {@code bounced}
   * @param status  the enhanced status code (e.g. {@code 4.4.1}), or null
   */
  public record Entry(long timeMillis, String queueId, String outcome, String domain, String status) {
  }

  private final Entry[] ring;
  private int next;
  private int size;

  public RecentDeliveries(int capacity) {
    this.ring = new Entry[capacity];
  }

  public synchronized void add(Entry entry) {
    ring[next] = entry;
    next = (next + 1) % ring.length;
    size = Math.min(size + 1, ring.length);
  }

  /** Newest first. */
  public synchronized List<Entry> entries() {
    List<Entry> out = new ArrayList<>(size);
    for (int i = 1; i <= size; i++) {
      out.add(ring[(next - i + ring.length) % ring.length]);
    }
    return out;
  }
}
