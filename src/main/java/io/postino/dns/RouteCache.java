package io.postino.dns;

import io.postino.bus.Route;
import io.postino.bus.RouteException;
import io.postino.metrics.DnsMeters;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Routes and failures by domain, each kept for its TTL, and the lookups in flight: concurrent
 * requests for a domain share one lookup, later ones get the settled result until it expires.
 *
 * <p>Expired entries are dropped when a domain is looked up again, and swept from the whole map
 * at most once a minute, so a long-running server that mails many domains does not grow
 * without bound.
 */
final class RouteCache {

  /** A successful lookup: the route and how many seconds it may be reused. */
  record Resolution(Route route, long ttlSeconds) {}

  private record Entry(Future<Route> result, long expiresAt) {}

  private static final long SWEEP_INTERVAL = TimeUnit.MINUTES.toNanos(1);

  private final Map<String, Entry> settled = new ConcurrentHashMap<>();
  private final Map<String, Future<Route>> inflight = new ConcurrentHashMap<>();
  private final LongSupplier nanoClock;
  private final long negativeTtl;
  private final AtomicLong lastSweep;
  private final DnsMeters meters;

  RouteCache(LongSupplier nanoClock, long negativeTtlSeconds, DnsMeters meters) {
    this.meters = meters;
    this.nanoClock = nanoClock;
    this.negativeTtl = negativeTtlSeconds;
    this.lastSweep = new AtomicLong(nanoClock.getAsLong());
  }

  /**
   * The route of a domain: cached, in flight, or looked up now with {@code lookup}. The future
   * fails only with a {@link RouteException}: any other failure of the lookup is a temporary one.
   */
  Future<Route> get(String domain, Function<String, Future<Resolution>> lookup) {
    Future<Route> cached = fresh(domain);
    if (cached != null) {
      meters.cacheHit();
      return cached;
    }
    Promise<Route> mine = Promise.promise();
    Future<Route> existing = inflight.putIfAbsent(domain, mine.future());
    if (existing != null) {
      return existing;
    }
    // a lookup may have settled between the two reads above; the caches must not both miss it
    cached = fresh(domain);
    if (cached != null) {
      inflight.remove(domain, mine.future());
      mine.handle(cached);
      return mine.future();
    }
    Future.succeededFuture(domain).compose(lookup).onComplete(ar -> {
      Future<Route> result;
      long ttl;
      if (ar.succeeded()) {
        result = Future.succeededFuture(ar.result().route());
        ttl = ar.result().ttlSeconds();
      } else {
        result = Future.failedFuture(ar.cause() instanceof RouteException e
            ? e : RouteException.temporary(domain, DnsServers.describe(ar.cause())));
        ttl = negativeTtl;
      }
      store(domain, result, ttl);
      inflight.remove(domain, mine.future());
      mine.handle(result);
    });
    return mine.future();
  }

  private Future<Route> fresh(String domain) {
    Entry entry = settled.get(domain);
    if (entry == null) {
      return null;
    }
    if (entry.expiresAt - nanoClock.getAsLong() > 0) {
      return entry.result;
    }
    settled.remove(domain, entry);
    return null;
  }

  private void store(String domain, Future<Route> result, long ttlSeconds) {
    long now = nanoClock.getAsLong();
    if (ttlSeconds > 0) {
      // RFC 2181 caps TTLs at 2^31 - 1 s, which keeps expiresAt - now from overflowing
      long ttl = TimeUnit.SECONDS.toNanos(Math.min(ttlSeconds, Integer.MAX_VALUE));
      settled.put(domain, new Entry(result, now + ttl));
    }
    long last = lastSweep.get();
    if (now - last > SWEEP_INTERVAL && lastSweep.compareAndSet(last, now)) {
      settled.values().removeIf(e -> e.expiresAt - now <= 0);
    }
  }
}
