package io.postino.dns;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What DNS answered, by question, kept for a configured time (Vert.x's DNS client gives no TTLs
 * but for MX records): one question in flight per key, shared by whoever asks meanwhile; an
 * answer {@code keep} refuses (a temporary failure) is dropped once known, so the next asker asks
 * again. Bounded: a botnet of a million addresses, or a flood of made-up sender domains, must not
 * make it a million entries; past {@code maxEntries} the expired ones go, and if that is not
 * enough a new answer is used but not kept. Thread-safe.
 *
 * @param <T> the answer, as its user reads it (a {@link DnsAnswer}, a parsed key record); its
 *            futures never fail
 */
public final class AnswerCache<T> {

  private record Entry<T>(Future<T> answer, long expires) {
  }

  private final long ttlNanos;
  private final int maxEntries;
  private final Predicate<T> keep;
  private final Map<String, Entry<T>> entries = new ConcurrentHashMap<>();

  /** @param ttl how long an answer is kept; zero: not at all */
  public AnswerCache(Duration ttl, int maxEntries, Predicate<T> keep) {
    this.ttlNanos = ttl.toNanos();
    this.maxEntries = maxEntries;
    this.keep = keep;
  }

  /** The answer to {@code key}: a kept one, the one in flight, or a new one from {@code ask}. */
  public Future<T> get(String key, Supplier<Future<T>> ask) {
    if (ttlNanos <= 0) {
      return ask.get();
    }
    long now = System.nanoTime();
    if (entries.size() >= maxEntries) {
      entries.values().removeIf(e -> now - e.expires() >= 0);
    }
    if (entries.size() >= maxEntries && !entries.containsKey(key)) {
      return ask.get();
    }
    @SuppressWarnings("unchecked")
    Entry<T>[] created = new Entry[1];
    Entry<T> entry = entries.compute(key, (k, old) -> {
      if (old != null && now - old.expires() < 0) {
        return old;
      }
      created[0] = new Entry<>(ask.get(), now + ttlNanos);
      return created[0];
    });
    if (created[0] != null) {
      // outside compute: the answer may already be there, and its listener then runs at once
      Entry<T> mine = created[0];
      mine.answer().onSuccess(answer -> {
        if (!keep.test(answer)) {
          entries.remove(key, mine);
        }
      });
    }
    return entry.answer();
  }
}
