package io.postino.dns;

import io.postino.bus.Route;
import io.postino.bus.RouteException;
import io.postino.metrics.DnsMeters;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Finds where mail for a domain goes (RFC 5321 section 5.1, RFC 7505): the Java API behind
 * {@code postino.mx.resolve}, for in-process callers.
 *
 * <p>A domain's route comes from the static routing table if it has an entry (or a {@code "*"}
 * entry exists), else from its MX records, else from its own A/AAAA records (implicit MX).
 * Results are cached for their TTL, failures briefly, and concurrent requests for one domain
 * share one lookup. Every method is non-blocking and safe to call from any thread.
 */
public interface MxResolver {

  /**
   * A resolver using the DNS servers of {@code options}; close it when done. Creating one does a
   * little blocking I/O (Vert.x reads /etc/hosts for each DNS client; a wildcard own address
   * lists the network interfaces): call it at start-up, from a worker or the main thread.
   */
  static MxResolver create(Vertx vertx, MxResolverOptions options) {
    return create(vertx, options, DnsMeters.none());
  }

  /** {@link #create(Vertx, MxResolverOptions)}, counting lookups and cache hits on {@code meters}. */
  static MxResolver create(Vertx vertx, MxResolverOptions options, DnsMeters meters) {
    return new DnsMxResolver(vertx, new MxResolverOptions(options), System::nanoTime, meters);
  }

  /**
   * Resolves a domain to its route.
   *
   * <p>The future succeeds with a {@link Route} whose hosts are sorted by preference, equal
   * preferences in a random order that changes from call to call; each host has at least one
   * address and none is unspecified ({@code 0.0.0.0}, {@code ::}). Hosts that are this server,
   * and every host not preferred to them, are left out. The domain may be an internationalized
   * name (it is converted to ASCII) or an address literal such as {@code [192.0.2.1]} or
   * {@code [IPv6:2001:db8::1]}.
   *
   * <p>The future fails with a {@link RouteException}, and only with one: permanent for a null
   * MX, NXDOMAIN, an invalid name, a domain without any address, or a mail loop; temporary when
   * DNS did not answer (timeout, SERVFAIL, REFUSED). Listeners run on the caller's context.
   */
  Future<Route> resolve(String domain);

  /** Closes the DNS clients; lookups in flight fail. */
  Future<Void> close();
}
