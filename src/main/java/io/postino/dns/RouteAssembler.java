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
   * The route of {@code domain} through these candidates, cached for at most {@code ttlSeconds};
   * when no candidate has an address, a permanent failure saying {@code whyNoAddress}, or a
   * temporary one if some lookup failed.
   */
  Future<RouteCache.Resolution> assemble(String domain, Route.Source source, List<Candidate> candidates,
      long ttlSeconds, String whyNoAddress) {
    List<Candidate> notSelf = beforeFirst(candidates, c -> loops.isOwnName(c.name()), Candidate::preference);
    if (notSelf.isEmpty() && !candidates.isEmpty()) {
      return Future.failedFuture(RouteException.loop(domain));
    }
    List<Future<HostResolver.Addresses>> lookups = notSelf.stream().map(c -> hosts.resolve(c.name())).toList();
    return Future.join(lookups).transform(ignored -> {
      List<RouteHost> found = new ArrayList<>();
      boolean complete = true;
      Throwable failure = null;
      for (int i = 0; i < notSelf.size(); i++) {
        Candidate c = notSelf.get(i);
        Future<HostResolver.Addresses> lookup = lookups.get(i);
        if (lookup.failed()) {
          complete = false;
          failure = lookup.cause();
        } else {
          complete &= lookup.result().complete();
          if (!lookup.result().addresses().isEmpty()) {
            found.add(new RouteHost(c.name(), c.preference(), lookup.result().addresses(), c.port()));
          }
        }
      }
      List<RouteHost> usable = beforeFirst(found, loops::isOwn, RouteHost::preference);
      if (usable.isEmpty() && !found.isEmpty()) {
        return Future.failedFuture(RouteException.loop(domain));
      }
      if (usable.isEmpty()) {
        return Future.failedFuture(failure != null
            ? RouteException.temporary(domain, DnsServers.describe(failure))
            : RouteException.noAddress(domain, whyNoAddress));
      }
      long ttl = complete ? ttlSeconds : Math.min(ttlSeconds, negativeTtl);
      return Future.succeededFuture(new RouteCache.Resolution(new Route(domain, usable, source), ttl));
    });
  }

  /** The items preferred to the best one that is this server (all of them if none is). */
  private static <T> List<T> beforeFirst(List<T> sorted, Predicate<T> isSelf, ToIntFunction<T> preference) {
    int selfPreference = Integer.MAX_VALUE;
    for (T item : sorted) {
      if (isSelf.test(item)) {
        selfPreference = Math.min(selfPreference, preference.applyAsInt(item));
      }
    }
    int limit = selfPreference;
    return sorted.stream().filter(item -> preference.applyAsInt(item) < limit).toList();
  }
}
