package io.postino.dnsbl;

import io.postino.dns.AddressLookup;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The DNS lists' answers by query name, kept for the configured TTL (Vert.x's DNS client does not
 * give A records' TTLs), "not listed" included; failures are not kept, so the next client asks
 * again. One lookup per name at a time, shared by every session that asks it meanwhile.
 * Thread-safe: the sessions of every event loop share it.
 *
 * <p>Bounded: a botnet of a million addresses must not make it a million entries. Past
 * {@link #MAX_ENTRIES}, the expired entries are swept; if that is not enough, new answers are used
 * but not kept.
 */
final class AnswerCache {

  static final int MAX_ENTRIES = 100_000;

  private static final class Entry {
    final Promise<List<String>> answer = Promise.promise();
    /** Until answered, never: a lookup in flight is shared, not repeated. */
    volatile long expires = Long.MAX_VALUE;

    boolean expired(long now) {
      return now - expires >= 0 && expires != Long.MAX_VALUE;
    }
  }

  private final AddressLookup lookup;
  private final long ttlNanos;
  private final LongSupplier nanoClock;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  AnswerCache(AddressLookup lookup, long ttlNanos, LongSupplier nanoClock) {
    this.lookup = lookup;
    this.ttlNanos = ttlNanos;
    this.nanoClock = nanoClock;
  }

  /** The addresses at {@code name} (empty: not listed), from the cache or a new lookup. */
  Future<List<String>> get(String name) {
    long now = nanoClock.getAsLong();
    Entry[] created = new Entry[1];
    Entry entry = entries.compute(name, (k, old) -> {
      if (old != null && !old.expired(now)) {
        return old;
      }
      created[0] = new Entry();
      return created[0];
    });
    if (entry != created[0]) {
      return entry.answer.future();
    }
    boolean keep = entries.size() <= MAX_ENTRIES || sweep(now);
    lookup.a(name).onComplete(ar -> {
      if (ar.succeeded() && keep) {
        entry.expires = nanoClock.getAsLong() + ttlNanos;
      } else {
        entries.remove(name, entry);
      }
      entry.answer.handle(ar);
    });
    return entry.answer.future();
  }

  /** Drops the expired entries; whether there is room now. */
  private boolean sweep(long now) {
    entries.values().removeIf(e -> e.expired(now));
    return entries.size() <= MAX_ENTRIES;
  }
}
