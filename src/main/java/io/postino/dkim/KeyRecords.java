package io.postino.dkim;

import io.postino.dns.AnswerCache;
import io.postino.dns.TxtLookup;
import io.vertx.core.Future;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Key records fetched for verification through Postino's DNS servers ({@link TxtLookup}), cached
 * parsed ({@link AnswerCache}): a key or a permanent failure (no record, not a usable key) for
 * {@code ttl} (the records' own TTLs are not used), a temporary failure not at all. One lookup in
 * flight per name. At most {@value #MAX_ENTRIES} names are kept. Thread-safe.
 */
final class KeyRecords {

  /** What a lookup found: a key, or why not and whether trying later may help. */
  record Lookup(KeyRecord key, String error, boolean temporary) {
  }

  static final int MAX_ENTRIES = 10_000;

  private final TxtLookup dns;
  /** Parsed, so that a cached key is not decoded again for every message. */
  private final AnswerCache<Lookup> cache;

  KeyRecords(TxtLookup dns, Duration ttl) {
    this.dns = dns;
    this.cache = new AnswerCache<>(ttl, MAX_ENTRIES, lookup -> !lookup.temporary());
  }

  /** The key record at {@code selector._domainkey.domain}. Never fails: the outcome says. */
  Future<Lookup> lookup(String selector, String domain) {
    String name = DkimKey.recordName(domain, selector);
    return cache.get(name.toLowerCase(Locale.ROOT), () -> dns.txt(name).transform(ar -> Future.succeededFuture(
        outcome(ar.succeeded() ? ar.result() : null, ar.cause()))));
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
