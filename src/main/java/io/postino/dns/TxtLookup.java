package io.postino.dns;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * TXT lookups through the configured DNS servers ({@code dns.servers}), with the failover, retries
 * and sharing of identical questions of the MX resolver ({@link DnsServers}); no caching. For the
 * DKIM key records ({@code postino dkim check}). Non-blocking; thread-safe.
 */
public final class TxtLookup {

  private final DnsServers servers;

  private TxtLookup(DnsServers servers) {
    this.servers = servers;
  }

  public static TxtLookup create(Vertx vertx, MxResolverOptions options) {
    return new TxtLookup(new DnsServers(vertx, options));
  }

  /**
   * The TXT records at {@code name}, in answer order, one string per record: a record of several
   * strings gives them joined (RFC 6376 section 3.6.2.2). Fails with the DNS error: NXDOMAIN when
   * the name does not exist, a timeout or server failure once every server was tried.
   */
  public Future<List<String>> txt(String name) {
    return servers.txt(name);
  }

  /** Whether a failure of {@link #txt} says the name does not exist (rather than "try again"). */
  public static boolean isNxDomain(Throwable failure) {
    return DnsServers.isNxDomain(failure);
  }

  /** A short description of a failed lookup. */
  public static String describe(Throwable failure) {
    return DnsServers.describe(failure);
  }
}
