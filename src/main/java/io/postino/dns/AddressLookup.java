package io.postino.dns;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * A-record lookups through the configured DNS servers ({@code dns.servers}), with the failover,
 * retries and sharing of identical questions of the MX resolver ({@link DnsServers}); no caching.
 * For the DNS block and allow lists, whose answers are addresses. Non-blocking; thread-safe.
 */
public final class AddressLookup {

  private final DnsServers servers;

  private AddressLookup(DnsServers servers) {
    this.servers = servers;
  }

  public static AddressLookup create(Vertx vertx, MxResolverOptions options) {
    return new AddressLookup(new DnsServers(vertx, options));
  }

  /**
   * The IPv4 addresses of {@code name}, empty when the name does not exist (NXDOMAIN) or has no
   * address: for a DNS list both say "not listed". Fails on a timeout or server failure, once every
   * server was tried. The future completes on the context of whoever asked the question first.
   */
  public Future<List<String>> a(String name) {
    return servers.a(name).recover(failure ->
        DnsServers.isNxDomain(failure) ? Future.succeededFuture(List.of()) : Future.failedFuture(failure));
  }

  /** A short description of a failed lookup. */
  public static String describe(Throwable failure) {
    return DnsServers.describe(failure);
  }
}
