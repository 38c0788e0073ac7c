package io.postino.dns;

import io.postino.bus.Route;
import io.postino.bus.RouteException;
import io.postino.bus.RouteHost;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
 *
 * <p>Hosts are resolved in order of preference, a batch at a time, only until {@code maxAddresses}
 * distinct addresses are found: more are never tried. An address that an earlier host already
 * has is not listed again (several MX names often share one), and a host left without addresses
 * is dropped.
 */
final class RouteAssembler {

  /** A host to consider, sorted by preference by the caller. */
  record Candidate(String name, int preference, int port) {}

  private final HostResolver hosts;
  private final LoopDetector loops;
  private final long negativeTtl;
  private final int maxAddresses;

  RouteAssembler(HostResolver hosts, LoopDetector loops, long negativeTtlSeconds, int maxAddresses) {
    this.hosts = hosts;
    this.loops = loops;
    this.negativeTtl = negativeTtlSeconds;
    this.maxAddresses = maxAddresses;
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
    List<Future<HostResolver.Addresses>> lookups = new ArrayList<>();
    return resolveUntilEnough(notSelf, lookups, new HashSet<>()).transform(ignored -> {
      List<RouteHost> found = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      boolean complete = true;
      Throwable failure = null;
      int firstFailure = Integer.MAX_VALUE;
      for (int i = 0; i < lookups.size(); i++) {
        Candidate c = notSelf.get(i);
        Future<HostResolver.Addresses> lookup = lookups.get(i);
        if (lookup.failed()) {
          complete = false;
          failure = lookup.cause();
          firstFailure = Math.min(firstFailure, c.preference());
        } else {
          complete &= lookup.result().complete();
          List<String> fresh = lookup.result().addresses().stream().filter(a -> seen.add(c.port() + " " + a)).toList();
          if (!fresh.isEmpty()) {
            found.add(new RouteHost(c.name(), c.preference(), fresh, c.port()));
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

  /**
   * Resolves the next candidates, as many as addresses are still missing, and goes on until
   * {@code maxAddresses} distinct addresses are known or no candidate is left; {@code lookups}
   * gets one lookup per candidate resolved, in order.
   */
  private Future<Void> resolveUntilEnough(List<Candidate> candidates, List<Future<HostResolver.Addresses>> lookups,
      Set<String> known) {
    int from = lookups.size();
    int missing = maxAddresses - known.size();
    if (from >= candidates.size() || missing <= 0) {
      return Future.succeededFuture();
    }
    List<Future<HostResolver.Addresses>> batch = candidates.subList(from, Math.min(candidates.size(), from + missing))
        .stream().map(c -> hosts.resolve(c.name())).toList();
    lookups.addAll(batch);
    return Future.join(batch).transform(ignored -> {
      for (int i = 0; i < batch.size(); i++) {
        if (batch.get(i).succeeded()) {
          int port = candidates.get(from + i).port();
          batch.get(i).result().addresses().forEach(a -> known.add(port + " " + a));
        }
      }
      return resolveUntilEnough(candidates, lookups, known);
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
