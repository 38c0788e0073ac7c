package io.postino.dnsbl;

import io.postino.dns.DnsAnswer;
import io.postino.dns.DnsLookups;
import io.postino.dns.MxResolverOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DNS block and allow lists of the SMTP listener: asks every configured zone about a client
 * address at once, through Postino's DNS servers ({@code dns.servers}) and a cache, and combines
 * the answers into a {@link Verdict} as postscreen does. Never fails: a list that does not answer
 * counts for nothing. Thread-safe; one per listener configuration, shared by every event loop.
 */
public final class Reputation {

  private static final Logger log = LoggerFactory.getLogger(Reputation.class);
  private static final Reputation OFF = new Reputation(null, new DnsblOptions(), null, null);

  private final Vertx vertx;
  private final DnsblOptions options;
  private final MxResolverOptions dns;
  /** The lists' answers, kept for {@code cacheTtl} (not-listed included, failures not): see {@link DnsLookups}. */
  private final DnsLookups cache;

  private Reputation(Vertx vertx, DnsblOptions options, MxResolverOptions dns, DnsLookups cache) {
    this.vertx = vertx;
    this.options = options;
    this.dns = dns;
    this.cache = cache;
  }

  /** No lists: nothing is asked. */
  public static Reputation off() {
    return OFF;
  }

  /** The lists of {@code options}, asked through the DNS servers of {@code dns}; off without sites. */
  public static Reputation create(Vertx vertx, DnsblOptions options, MxResolverOptions dns) {
    if (!options.isEnabled()) {
      return OFF;
    }
    return new Reputation(vertx, options, dns, DnsLookups.create(vertx, dns, options.getCacheTtl()));
  }

  /** After a reload: this one (and its cache) when nothing it uses changed, else a new one. */
  public Reputation reconfigured(Vertx vertx, DnsblOptions next, MxResolverOptions nextDns) {
    if (next.toJson().equals(options.toJson()) && (cache == null || nextDns.toJson().equals(dns.toJson()))) {
      return this;
    }
    return create(vertx, next, nextDns);
  }

  public boolean isEnabled() {
    return cache != null;
  }

  public DnsblOptions options() {
    return options;
  }

  /**
   * What the lists say of {@code ip}, on the caller's context. Each zone is asked once however
   * many site entries name it.
   */
  public Future<Verdict> check(String ip) {
    if (!isEnabled()) {
      return Future.succeededFuture(combine(Map.of()));
    }
    Context caller = vertx.getOrCreateContext();
    Map<String, Future<DnsAnswer>> byZone = new LinkedHashMap<>();
    for (DnsblSite site : options.getSites()) {
      String name = QueryName.of(ip, site.zone());
      if (name == null) {
        return Future.succeededFuture(combine(Map.of()));
      }
      byZone.computeIfAbsent(site.zone(), z -> cache.a(name));
    }
    Promise<Verdict> mine = Promise.promise();
    Future.join(new ArrayList<>(byZone.values())).onComplete(ar -> {
      Verdict verdict = combine(byZone);
      // a shared lookup completes on the context that started it: come back to the caller's
      if (Vertx.currentContext() == caller) {
        mine.complete(verdict);
      } else {
        caller.runOnContext(v -> mine.complete(verdict));
      }
    });
    return mine.future();
  }

  private Verdict combine(Map<String, Future<DnsAnswer>> byZone) {
    int score = 0;
    List<Verdict.Listing> listings = new ArrayList<>();
    List<Verdict.Failure> failures = new ArrayList<>();
    for (DnsblSite site : options.getSites()) {
      Future<DnsAnswer> asked = byZone.get(site.zone());
      if (asked == null) {
        continue;
      }
      // a DnsAnswer never fails as a future; NXDOMAIN is "not listed"
      DnsAnswer answer = asked.result();
      if (answer.isTemporary()) {
        if (failures.stream().noneMatch(f -> f.zone().equals(site.zone()))) {
          failures.add(new Verdict.Failure(site.zone(), site.allows(), answer.temporary()));
        }
        continue;
      }
      for (String address : answer.records()) {
        if (site.lists(address)) {
          score += site.weight();
          listings.add(new Verdict.Listing(site, address));
          break;
        }
        if (address.startsWith("127.255.255.")) {
          log.warn("DNSBL {} answered {}: an error code of the list (refused query?), not a listing", site.zone(),
              address);
        }
      }
    }
    return new Verdict(score, listings, failures, options.getThreshold(), options.getAllowThreshold());
  }
}
