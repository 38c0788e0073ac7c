package io.postino.dns;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves a host name to the addresses to connect to: A and AAAA queried together, CNAMEs
 * followed (Vert.x's {@code resolveA}/{@code resolveAAAA} return nothing for an alias, and its
 * {@code lookup} returns a single address), unusable addresses dropped, IPv6 or IPv4 first.
 */
final class HostResolver {

  /** Longer CNAME chains are treated as broken, as resolvers do, and loops end here too. */
  static final int MAX_CNAME_HOPS = 8;

  /**
   * What a host resolved to. {@code complete} is false when one address family failed
   * temporarily while the other gave addresses: usable, but not for long.
   */
  record Addresses(List<String> addresses, boolean complete) {
    static final Addresses NONE = new Addresses(List.of(), true);
  }

  private final DnsServers dns;
  private final boolean preferIpv6;

  HostResolver(DnsServers dns, boolean preferIpv6) {
    this.dns = dns;
    this.preferIpv6 = preferIpv6;
  }

  /**
   * The usable addresses of a host name or IP literal. Succeeds with no address when the name
   * does not exist or has no address; fails when DNS failed and gave no address at all.
   */
  Future<Addresses> resolve(String host) {
    if (HostPort.isIpLiteral(host)) {
      return Future.succeededFuture(new Addresses(usable(List.of(host)), true));
    }
    return resolve(host, 0);
  }

  private Future<Addresses> resolve(String name, int hops) {
    Future<List<String>> v4 = dns.a(name);
    Future<List<String>> v6 = dns.aaaa(name);
    return Future.join(v4, v6).transform(ignored -> {
      List<String> addresses = usable(preferIpv6 ? concat(found(v6), found(v4)) : concat(found(v4), found(v6)));
      boolean complete = !failedTemporarily(v4) && !failedTemporarily(v6);
      if (!addresses.isEmpty()) {
        return Future.succeededFuture(new Addresses(addresses, complete));
      }
      if (!complete) {
        return Future.failedFuture(failedTemporarily(v4) ? v4.cause() : v6.cause());
      }
      if (DnsServers.isNxDomain(v4.cause()) || hops >= MAX_CNAME_HOPS) {
        return Future.succeededFuture(Addresses.NONE);
      }
      return followCname(name, hops);
    });
  }

  private Future<Addresses> followCname(String name, int hops) {
    return dns.cname(name)
        .recover(failure -> DnsServers.isNxDomain(failure) ? Future.succeededFuture(List.of()) : Future.failedFuture(failure))
        .compose(targets -> {
          String target = targets.isEmpty() ? null : Domains.normalize(targets.get(0));
          return target == null ? Future.succeededFuture(Addresses.NONE) : resolve(target, hops + 1);
        });
  }

  private static List<String> found(AsyncResult<List<String>> result) {
    return result.succeeded() ? result.result() : List.of();
  }

  private static boolean failedTemporarily(AsyncResult<?> result) {
    return result.failed() && !DnsServers.isNxDomain(result.cause());
  }

  private static List<String> concat(List<String> first, List<String> second) {
    List<String> all = new ArrayList<>(first);
    all.addAll(second);
    return all;
  }

  /** Canonical text of every address that can be connected to; never 0.0.0.0/8 or {@code ::}. */
  private static List<String> usable(List<String> addresses) {
    List<String> usable = new ArrayList<>();
    for (String text : addresses) {
      if (!HostPort.isIpLiteral(text)) {
        continue;
      }
      InetAddress address = HostPort.toInetAddress(text);
      // 0.0.0.0/8 means "this network": it is a source address, never a destination
      boolean thisNetwork = address instanceof Inet4Address && address.getAddress()[0] == 0;
      if (!address.isAnyLocalAddress() && !thisNetwork) {
        String canonical = HostPort.canonicalAddress(text);
        if (!usable.contains(canonical)) {
          usable.add(canonical);
        }
      }
    }
    return usable;
  }
}
