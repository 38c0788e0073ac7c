package io.postino.dkim;

import io.postino.dns.TxtLookup;
import io.vertx.core.Future;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Key records fetched for verification through Postino's DNS servers ({@link TxtLookup}), cached:
 * a record or a permanent failure (no record, not a usable key) for {@code ttl} (the records' own
 * TTLs are not used), a temporary failure not at all. One lookup in flight per
 * name. At most {@value #MAX_ENTRIES} names are kept. Thread-safe.
 */
final class KeyRecords {

  /** What a lookup found: a key, or why not and whether trying later may help. */
  record Lookup(KeyRecord key, String error, boolean temporary) {
  }

  static final int MAX_ENTRIES = 10_000;

  private record Entry(Future<Lookup> lookup, long expires) {
  }

  private final TxtLookup dns;
  private final long ttlNanos;
  private final Map<String, Entry> cache = new ConcurrentHashMap<>();

  KeyRecords(TxtLookup dns, Duration ttl) {
    this.dns = dns;
    this.ttlNanos = ttl.toNanos();
  }

  /** The key record at {@code selector._domainkey.domain}. Never fails: the outcome says. */
  Future<Lookup> lookup(String selector, String domain) {
    String name = selector + "._domainkey." + domain;
    long now = System.nanoTime();
    if (cache.size() >= MAX_ENTRIES) {
      cache.clear();
    }
    Entry[] created = new Entry[1];
    Entry entry = cache.compute(name, (k, old) -> {
      if (old != null && now - old.expires() < 0) {
        return old;
      }
      created[0] = new Entry(dns.txt(name).transform(ar -> Future.succeededFuture(
          outcome(ar.succeeded() ? ar.result() : null, ar.cause()))), now + ttlNanos);
      return created[0];
    });
    if (created[0] != null) {
      // outside compute: the lookup may already be complete, and its listener then runs at once
      created[0].lookup().onSuccess(l -> {
        if (l.temporary()) {
          cache.remove(name, created[0]);
        }
      });
    }
    return entry.lookup();
  }

  private static Lookup outcome(List<String> records, Throwable failure) {
    if (failure != null) {
      return TxtLookup.isNxDomain(failure) ? new Lookup(null, "no key record", false)
          : new Lookup(null, TxtLookup.describe(failure), true);
    }
    if (records.isEmpty()) {
      return new Lookup(null, "no key record", false);
    }
    try {
      return new Lookup(KeyRecord.firstUsable(records), null, false);
    } catch (GeneralSecurityException | RuntimeException e) {
      return new Lookup(null, "unusable key record: " + e.getMessage(), false);
    }
  }
}
