package io.postino.dns;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * Turns the candidate hosts of a domain (from MX records, the domain itself, or a static route)
 * into a route: resolves their addresses in parallel, drops this server and every host not
 * preferred to it, drops hosts without an address, and decides what failure an empty result is.
 *
 * <p>As in Postfix, when one of the hosts is this server, only hosts strictly preferred to it
 * remain; if none does, mail for the domain would loop. A host that failed to resolve
 * temporarily is left out, and the route is then cached no longer than a failure.
 */
final class RouteAssembler {

  /** A host to consider, sorted by preference by the caller. */
  record Candidate(String name, int preference, int port) {}

  private final HostResolver hosts;
  private final LoopDetector loops;
  private final long negativeTtl;

  RouteAssembler(HostResolver hosts, LoopDetector loops, long negativeTtlSeconds) {
    this.hosts = hosts;
    this.loops = loops;
    this.negativeTtl = negativeTtlSeconds;
  }

  /**
   * The route of {@code domain} through these candidates (sorted by preference), cached for at
   * most {@code ttlSeconds}. When no host is left: a temporary failure if a host preferred to
   * this server could not be resolved, else a loop if this server is among the candidates, else
   * a permanent "no address" failure saying {@code whyNoAddress}.
   */
  Future<RouteCache.Resolution> assemble(String domain, Route.Source source, List<Candidate> candidates,
      long ttlSeconds, String whyNoAddress) {
    int selfByName = selfPreference(candidates, c -> loops.isOwnName(c.name()), Candidate::preference);
    List<Candidate> notSelf = candidates.stream().filter(c -> c.preference() < selfByName).toList();
    if (notSelf.isEmpty() && selfByName != Integer.MAX_VALUE) {
      return Future.failedFuture(RouteException.loop(domain));
    }
    List<Future<HostResolver.Addresses>> lookups = notSelf.stream().map(c -> hosts.resolve(c.name())).toList();
    return Future.join(lookups).transform(ignored -> {
      List<RouteHost> found = new ArrayList<>();
      boolean complete = true;
      Throwable failure = null;
      int firstFailure = Integer.MAX_VALUE;
      for (int i = 0; i < notSelf.size(); i++) {
        Candidate c = notSelf.get(i);
        Future<HostResolver.Addresses> lookup = lookups.get(i);
        if (lookup.failed()) {
          complete = false;
          failure = lookup.cause();
          firstFailure = Math.min(firstFailure, c.preference());
        } else {
          complete &= lookup.result().complete();
          if (!lookup.result().addresses().isEmpty()) {
            found.add(new RouteHost(c.name(), c.preference(), lookup.result().addresses(), c.port()));
          }
        }
      }
      int self = selfPreference(found, loops::isOwn, RouteHost::preference);
      List<RouteHost> usable = found.stream().filter(h -> h.preference() < self).toList();
      if (!usable.isEmpty()) {
        long ttl = complete ? ttlSeconds : Math.min(ttlSeconds, negativeTtl);
        return Future.succeededFuture(new RouteCache.Resolution(new Route(domain, usable, source), ttl));
      }
      int anySelf = Math.min(self, selfByName);
      // a host preferred to us that could not be resolved may be back soon: wait, do not bounce
      if (firstFailure < anySelf) {
        return Future.failedFuture(RouteException.temporary(domain, DnsServers.describe(failure)));
      }
      return Future.failedFuture(anySelf != Integer.MAX_VALUE
          ? RouteException.loop(domain)
          : RouteException.noAddress(domain, whyNoAddress));
    });
  }

  /** The preference of the best item that is this server, or MAX_VALUE if none is. */
  private static <T> int selfPreference(List<T> items, Predicate<T> isSelf, ToIntFunction<T> preference) {
    int self = Integer.MAX_VALUE;
    for (T item : items) {
      if (isSelf.test(item)) {
        self = Math.min(self, preference.applyAsInt(item));
      }
    }
    return self;
  }
}
