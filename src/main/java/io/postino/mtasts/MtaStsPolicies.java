package io.postino.mtasts;

import io.postino.dns.DnsLookups;
import io.postino.mtasts.PolicyFetcher.Fetched;
import io.postino.tlspolicy.StsLookup;
import io.postino.tlspolicy.StsPolicy;
import io.postino.tlspolicy.TlsReporter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MTA-STS (RFC 8461) for outbound mail: the policy each recipient domain publishes, found and
 * cached as section 5.1 says.
 * <ul>
 * <li>Each delivery asks the {@code _mta-sts.<domain>} TXT record (through Postino's resolver and
 * its answer cache). A cached policy with the record's {@code id} is used as it is; a new
 * {@code id} makes it fetched again.</li>
 * <li>A policy is kept until its {@code max_age} runs out, on disk too ({@link PolicyStore}), so a
 * restart does not open a window for a downgrade. While it lives, a TXT record that disappeared or
 * a fetch that failed does not remove it: only an expired policy is forgotten.</li>
 * <li>A timer refreshes the policies in the last part of their life (the last quarter of
 * {@code max_age}, at least two timer periods), so that a domain mail goes to often never
 * falls out of the cache.</li>
 * <li>One fetch at a time per domain: deliveries that ask meanwhile share it. After a failed
 * fetch the same {@code id} is not fetched again for {@code retryPause}, except by the refresh.</li>
 * <li>Failed fetches and invalid policies are reported ({@code sts-policy-fetch-error},
 * {@code sts-webpki-invalid}, {@code sts-policy-invalid}) and logged.</li>
 * </ul>
 * Never fails a lookup; non-blocking; thread-safe (one instance serves every delivery verticle).
 */
public final class MtaStsPolicies implements StsLookup {

  private static final Logger LOG = LoggerFactory.getLogger(MtaStsPolicies.class);

  /** How long the TXT record's answer is reused: a new {@code id} is seen at most this late. */
  public static final Duration DNS_CACHE_TTL = Duration.ofMinutes(5);

  /**
   * How policies are fetched and kept.
   *
   * @param cacheDirectory      where the policies are kept across restarts
   * @param port                the policy hosts' HTTPS port: 443, another only in labs and tests
   * @param fetchTimeout        the most one fetch may take
   * @param refreshInterval     how often the cache is looked over for policies to refresh
   * @param retryPause          after a failed fetch, how long before a delivery fetches the same id again
   * @param trustedCertificates PEM files of the authorities to trust instead of the JVM's (empty: the JVM's)
   */
  public record Settings(Path cacheDirectory, int port, Duration fetchTimeout, Duration refreshInterval,
      Duration retryPause, List<String> trustedCertificates) {

    public static final int DEFAULT_PORT = 443;
    public static final Duration DEFAULT_FETCH_TIMEOUT = Duration.ofSeconds(20);
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofHours(1);
    public static final Duration DEFAULT_RETRY_PAUSE = Duration.ofMinutes(5);

    public Settings {
      trustedCertificates = List.copyOf(trustedCertificates);
    }
  }

  /** A fetch that failed, and until when its id is not fetched again. */
  private record Failure(String id, long untilMillis) {
  }

  private final Vertx vertx;
  private final DnsLookups dns;
  private final PolicyFetcher fetcher;
  private final PolicyStore store;
  private final TlsReporter reporter;
  private final Settings settings;
  private final Clock clock;
  private final Map<String, CachedPolicy> cache = new ConcurrentHashMap<>();
  private final Map<String, Future<StsPolicy>> fetching = new ConcurrentHashMap<>();
  private final Map<String, Failure> failures = new ConcurrentHashMap<>();
  private final Future<Void> loaded;
  private final long timer;

  /**
   * Starts reading the policies kept on disk (lookups wait for them) and the refresh timer.
   *
   * @param dns      Postino's resolver, for the TXT record and the policy host's address
   * @param reporter hears of failed fetches and invalid policies
   */
  public MtaStsPolicies(Vertx vertx, DnsLookups dns, TlsReporter reporter, Settings settings, Clock clock) {
    this.vertx = vertx;
    this.dns = dns;
    this.reporter = reporter;
    this.settings = settings;
    this.clock = clock;
    this.fetcher = new PolicyFetcher(vertx, dns, settings.trustedCertificates(), settings.port(),
        settings.fetchTimeout());
    this.store = new PolicyStore(vertx, settings.cacheDirectory());
    this.loaded = store.load().map(kept -> {
      kept.forEach(cache::putIfAbsent);
      return (Void) null;
    }).otherwise(e -> {
      LOG.warn("MTA-STS policy cache: could not read {}: {}", settings.cacheDirectory(), e.toString());
      return null;
    });
    this.timer = vertx.setPeriodic(settings.refreshInterval().toMillis(), id -> refresh());
  }

  @Override
  public Future<StsPolicy> policy(String domain) {
    String d = domain.toLowerCase(Locale.ROOT);
    return loaded.compose(v -> lookup(d, false)).otherwise(e -> {
      LOG.warn("MTA-STS policy of {}: {}", d, e.toString());
      return live(d);
    });
  }

  /** Stops the refresh timer and the web client. */
  public void close() {
    vertx.cancelTimer(timer);
    fetcher.close();
  }

  /** The cached policies that have not expired, by domain (for tests and the status page). */
  Map<String, CachedPolicy> cached() {
    long now = clock.millis();
    Map<String, CachedPolicy> live = new java.util.TreeMap<>();
    cache.forEach((d, p) -> {
      if (!p.expired(now)) {
        live.put(d, p);
      }
    });
    return live;
  }

  /** Lookups wait for the disk cache to be read: this completes once it is. */
  Future<Void> loaded() {
    return loaded;
  }

  private Future<StsPolicy> lookup(String domain, boolean refreshing) {
    return dns.txt("_mta-sts." + domain).compose(answer -> {
      // no record now, or no answer: a live cached policy still applies (section 5.1)
      String id = answer.isTemporary() ? null : StsRecord.id(answer.records());
      if (id == null) {
        return Future.succeededFuture(live(domain));
      }
      StsPolicy cached = live(domain);
      if (cached != null && cached.id().equals(id) && !refreshing) {
        return Future.succeededFuture(cached);
      }
      Failure failed = failures.get(domain);
      if (!refreshing && failed != null && failed.id().equals(id) && clock.millis() < failed.untilMillis()) {
        return Future.succeededFuture(cached);
      }
      return fetch(domain, id);
    });
  }

  /** Fetches the policy with {@code id}, or joins the fetch under way. */
  private Future<StsPolicy> fetch(String domain, String id) {
    Future<StsPolicy>[] started = new Future[1];
    Future<StsPolicy> shared = fetching.computeIfAbsent(domain, d -> started[0] = fetcher.fetch(d, id)
        .compose(fetched -> fetched(d, id, fetched)));
    if (started[0] != null) {
      started[0].onComplete(ar -> fetching.remove(domain, started[0]));
    }
    return shared;
  }

  /** Takes in what a fetch gave; a new policy is kept on disk before it is used. */
  private Future<StsPolicy> fetched(String domain, String id, Fetched fetched) {
    StsPolicy previous = live(domain);
    if (fetched.policy() == null) {
      failures.put(domain, new Failure(id, clock.millis() + settings.retryPause().toMillis()));
      LOG.warn("MTA-STS policy of {} not fetched ({}): {}; {}", domain, fetched.resultType(), fetched.detail(),
          previous == null ? "no policy cached" : "the cached one (id " + previous.id() + ") stays");
      reporter.record(new TlsReporter.Attempt(scope(domain, previous), null, null, fetched.resultType(),
          fetched.detail()));
      return Future.succeededFuture(previous);
    }
    StsPolicy policy = fetched.policy();
    failures.remove(domain);
    CachedPolicy entry = new CachedPolicy(domain, policy, clock.millis());
    cache.put(domain, entry);
    if (previous == null || !previous.id().equals(policy.id())) {
      LOG.info("MTA-STS policy of {}: id {}, mode {}, mx {}, max_age {}", domain, policy.id(),
          policy.mode().jsonName(), policy.mx(), policy.maxAge());
    }
    // a policy that could not be written is still the domain's policy: it is used, from memory
    return store.save(entry).transform(ignored -> Future.succeededFuture(policy));
  }

  /** The cached policy of {@code domain} if it has not expired; an expired one is forgotten. */
  private StsPolicy live(String domain) {
    CachedPolicy p = cache.get(domain);
    if (p == null) {
      return null;
    }
    if (p.expired(clock.millis())) {
      if (cache.remove(domain, p)) {
        store.delete(domain);
      }
      return null;
    }
    return p.policy();
  }

  /**
   * Looks the cache over: expired policies go, and those in the last part of their life are
   * fetched again (when the domain still publishes a record; otherwise kept until they expire).
   */
  void refresh() {
    long now = clock.millis();
    long margin2 = 2 * settings.refreshInterval().toMillis();
    cache.forEach((domain, p) -> {
      if (live(domain) == null) {
        return;
      }
      long margin = Math.max(margin2, p.policy().maxAge() * 1000 / 4);
      if (now >= p.expiresMillis() - margin && !fetching.containsKey(domain)) {
        lookup(domain, true);
      }
    });
  }

  private static TlsReporter.Scope scope(String domain, StsPolicy policy) {
    if (policy == null) {
      return new TlsReporter.Scope(domain, "sts", List.of(), List.of());
    }
    List<String> lines = policy.text() == null ? List.of()
        : policy.text().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    return new TlsReporter.Scope(domain, "sts", lines, policy.mx());
  }
}
