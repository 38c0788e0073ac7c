package io.postino.dns;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The lookups of the receiving checks (SPF, DMARC, the DNS lists) through the configured DNS servers
 * ({@link DnsServers}: failover, retries, one question in flight per name), with caching: an answer
 * (records, no data or NXDOMAIN) is kept for the configured {@code ttl}; a temporary failure is
 * not kept, so the next message asks again. The records' own TTLs are not used: Vert.x's DNS client
 * gives them for MX records only (A, AAAA and PTR come as bare strings, and TXT records as read by
 * {@link RecordQuery} keep none either), so one configured bound serves every type, as the DKIM key cache's. At most {@value #MAX_ENTRIES}
 * answers are kept ({@link AnswerCache}). Non-blocking; thread-safe.
 */
public final class DnsLookups {

  static final int MAX_ENTRIES = 20_000;

  private final DnsServers servers;
  private final AnswerCache<DnsAnswer> cache;

  DnsLookups(DnsServers servers, Duration ttl) {
    this.servers = servers;
    this.cache = new AnswerCache<>(ttl, MAX_ENTRIES, answer -> !answer.isTemporary());
  }

  /** Lookups through the servers of {@code dns}, answers cached for {@code ttl} (zero: not cached). */
  public static DnsLookups create(Vertx vertx, MxResolverOptions dns, Duration ttl) {
    return new DnsLookups(new DnsServers(vertx, dns), ttl);
  }

  /** The strings of the TXT records at {@code name}, each record's strings joined (RFC 7208 section 3.3). */
  public Future<DnsAnswer> txt(String name) {
    return cached("TXT", name, () -> servers.txt(name).map(DnsAnswer::of));
  }

  public Future<DnsAnswer> a(String name) {
    return cached("A", name, () -> servers.a(name).map(DnsAnswer::of));
  }

  public Future<DnsAnswer> aaaa(String name) {
    return cached("AAAA", name, () -> servers.aaaa(name).map(DnsAnswer::of));
  }

  /** The exchange host names of {@code name}'s MX records, by preference; a null MX gives none. */
  public Future<DnsAnswer> mx(String name) {
    return cached("MX", name, () -> servers.mx(name).map(records -> {
      List<io.vertx.core.dns.MxRecord> sorted = new ArrayList<>(records);
      // priorities above 32767 come back negative: compare them unsigned
      sorted.sort((x, y) -> Integer.compare(x.priority() & 0xFFFF, y.priority() & 0xFFFF));
      List<String> hosts = new ArrayList<>();
      for (io.vertx.core.dns.MxRecord r : sorted) {
        if (r.name() != null && !r.name().isEmpty() && !r.name().equals(".")) {
          hosts.add(r.name());
        }
      }
      return DnsAnswer.of(hosts);
    }));
  }

  /** The names an address points to by its reverse-lookup name (Vert.x gives the first PTR record only). */
  public Future<DnsAnswer> ptr(String reverseName) {
    return cached("PTR", reverseName, () -> servers.ptr(reverseName).map(DnsAnswer::of));
  }

  private Future<DnsAnswer> cached(String type, String name, Supplier<Future<DnsAnswer>> ask) {
    return cache.get(type + ' ' + name.toLowerCase(Locale.ROOT),
        () -> ask.get().recover(failure -> Future.succeededFuture(DnsAnswer.failed(failure))));
  }
}
