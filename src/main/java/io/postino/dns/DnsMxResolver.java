package io.postino.dns;

import io.postino.bus.Route;
import io.postino.bus.RouteException;
import io.postino.bus.RouteHost;
import io.postino.metrics.DnsMeters;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.dns.MxRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link MxResolver} over DNS: normalizes the domain, answers from the cache or starts one
 * lookup (static route, address literal, MX records, CNAME, implicit MX, in that order of
 * consideration), and hands each caller its own shuffle of the equal-preference hosts.
 */
final class DnsMxResolver implements MxResolver {

  private static final Logger log = LoggerFactory.getLogger(DnsMxResolver.class);

  private final Vertx vertx;
  private final MxResolverOptions options;
  private final DnsServers dns;
  private final RouteAssembler assembler;
  private final RouteCache cache;
  /** Null when routes need not say what DNSSEC validated (no DANE, or no trusted validating resolver). */
  private final RouteSecurity security;

  DnsMxResolver(Vertx vertx, MxResolverOptions options, LongSupplier nanoClock) {
    this(vertx, options, nanoClock, DnsMeters.none());
  }

  DnsMxResolver(Vertx vertx, MxResolverOptions options, LongSupplier nanoClock, DnsMeters meters) {
    this.vertx = vertx;
    this.options = options;
    this.dns = new DnsServers(vertx, options, meters);
    this.assembler = new RouteAssembler(new HostResolver(dns, options.isPreferIpv6()),
        new LoopDetector(options.getOwnHostnames(), options.getOwnAddresses()), options.getNegativeTtl(),
        options.getMaxAddresses());
    this.cache = new RouteCache(nanoClock, options.getNegativeTtl(), meters);
    // with no server whose AD bit is believed, nothing could be marked validated: no question is asked
    this.security = options.isDnssec() && dns.believesAnyAdBit() ? new RouteSecurity(dns) : null;
  }

  @Override
  public Future<Route> resolve(String domain) {
    Context caller = vertx.getOrCreateContext();
    String key = key(domain);
    Future<Route> shared = key == null
        ? Future.failedFuture(RouteException.invalidDomain(domain))
        : cache.get(key, security == null ? this::lookup : d -> lookup(d).compose(security::mark));
    Promise<Route> mine = Promise.promise();
    shared.onComplete(ar -> {
      AsyncResult<Route> result = ar.map(DnsMxResolver::shuffleEqualPreferences);
      // a shared lookup completes on the context that started it: come back to the caller's
      if (Vertx.currentContext() == caller) {
        mine.handle(result);
      } else {
        caller.runOnContext(v -> mine.handle(result));
      }
    });
    return mine.future();
  }

  @Override
  public Future<Void> close() {
    return dns.close();
  }

  /** The cache key: a normalized domain or address literal, or null if invalid. */
  private static String key(String domain) {
    if (domain != null && domain.startsWith("[")) {
      return AddressLiteral.normalize(domain);
    }
    return Domains.normalize(domain);
  }

  private Future<RouteCache.Resolution> lookup(String domain) {
    int port = options.getSmtpPort();
    List<String> route = options.getRoutes().get(domain);
    if (route == null) {
      // the wildcard covers address literals too: a smarthost setup usually has no direct way out
      route = options.getRoutes().get(MxResolverOptions.WILDCARD_ROUTE);
    }
    if (route == null && domain.startsWith("[")) {
      // RFC 5321 section 4.1.3: mail to user@[192.0.2.1] goes to that address, no DNS involved
      return assembler.assemble(domain, Route.Source.IMPLICIT,
          List.of(new RouteAssembler.Candidate(AddressLiteral.parse(domain), 0, port)), options.getDefaultTtl(),
          "unusable address");
    }
    if (route != null) {
      List<RouteAssembler.Candidate> candidates = new ArrayList<>();
      for (int i = 0; i < route.size(); i++) {
        HostPort hp = HostPort.parse(route.get(i), port);
        // the table's order is the order to try: preferences 0, 1, 2... keep it unshuffled
        candidates.add(new RouteAssembler.Candidate(hp.host(), i, hp.port()));
      }
      return assembler.assemble(domain, Route.Source.STATIC, candidates, options.getDefaultTtl(),
          "no host of its static route has an address");
    }
    return mx(domain, domain, 0);
  }

  private Future<RouteCache.Resolution> mx(String domain, String name, int hops) {
    return dns.mx(name).transform(ar -> {
      if (ar.failed()) {
        return Future.failedFuture(dnsFailure(domain, ar.cause()));
      }
      if (ar.result().isEmpty()) {
        return aliasOrImplicit(domain, name, hops);
      }
      List<MxRecord> hosts = ar.result().stream().filter(r -> Domains.normalize(r.name()) != null).toList();
      if (hosts.isEmpty()) {
        // RFC 7505: the only MX is "0 ." (Vert.x gives a null name); a domain that mixes a
        // null MX with real ones is broken, and the real ones are used
        return Future.failedFuture(RouteException.nullMx(domain));
      }
      long ttl = options.getDefaultTtl();
      List<RouteAssembler.Candidate> candidates = new ArrayList<>();
      for (MxRecord r : hosts) {
        ttl = Math.min(ttl, r.ttl());
        if (HostPort.isIpLiteral(Domains.normalize(r.name()))) {
          // RFC 5321 section 5.1 wants a name; Postfix ignores such an MX with a warning too
          log.warn("{}: ignoring numeric MX target {}", domain, r.name());
          continue;
        }
        // Vert.x reads the 16-bit preference as a signed short
        candidates.add(new RouteAssembler.Candidate(Domains.normalize(r.name()), r.priority() & 0xFFFF,
            options.getSmtpPort()));
      }
      // equal preferences in a new random order per lookup: hosts beyond maxAddresses are not
      // resolved, and this spreads the load over all of them as the cache expires
      Collections.shuffle(candidates, ThreadLocalRandom.current());
      candidates.sort(Comparator.comparingInt(RouteAssembler.Candidate::preference));
      return assembler.assemble(domain, Route.Source.MX, candidates, ttl,
          candidates.isEmpty() ? "its MX records name IP addresses, not hosts" : "no MX host has an address");
    });
  }

  /**
   * No MX record at {@code name}. RFC 5321 section 5.1: if it is an alias, start again from its
   * canonical name (Vert.x drops the target's records from the answer); otherwise the name itself
   * is the one host.
   */
  private Future<RouteCache.Resolution> aliasOrImplicit(String domain, String name, int hops) {
    return dns.cname(name).transform(ar -> {
      if (ar.failed()) {
        return Future.failedFuture(dnsFailure(domain, ar.cause()));
      }
      String target = ar.result().isEmpty() ? null : Domains.normalize(ar.result().get(0));
      if (target != null && hops < HostResolver.MAX_CNAME_HOPS) {
        return mx(domain, target, hops + 1);
      }
      return assembler.assemble(domain, Route.Source.IMPLICIT,
          List.of(new RouteAssembler.Candidate(name, 0, options.getSmtpPort())), options.getDefaultTtl(),
          "it has no MX record and no address");
    });
  }

  private static RouteException dnsFailure(String domain, Throwable failure) {
    return DnsServers.isNxDomain(failure)
        ? RouteException.noSuchDomain(domain)
        : RouteException.temporary(domain, DnsServers.describe(failure));
  }

  /** A copy of the route with the hosts of each preference in a new random order. */
  private static Route shuffleEqualPreferences(Route route) {
    List<RouteHost> hosts = new ArrayList<>(route.hosts());
    int start = 0;
    for (int i = 1; i <= hosts.size(); i++) {
      if (i == hosts.size() || hosts.get(i).preference() != hosts.get(start).preference()) {
        Collections.shuffle(hosts.subList(start, i), ThreadLocalRandom.current());
        start = i;
      }
    }
    return new Route(route.domain(), hosts, route.source(), route.dnssec());
  }
}
