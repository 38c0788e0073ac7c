package io.postino.dns;

import io.netty.handler.codec.dns.DnsRecordType;
import io.postino.bus.Route;
import io.postino.bus.RouteHost;
import io.vertx.core.Future;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Says which parts of a route DNSSEC validated, for DANE (RFC 7672 section 2.2): the host names
 * (the MX RRset; for an implicit MX, the domain's own address records; a static route's names are
 * the configuration's), and each host's address records. Only where both are validated may the
 * host's TLSA records be looked up (section 2.2.2).
 *
 * <p>The route itself is found with Vert.x's DNS client, which shows no AD bit: the same questions
 * are asked again here through {@link DnsServers#validated} (the resolver has them cached), and a
 * part counts as validated only when the validated answer holds everything the route took from
 * it: every MX host name, every address. A question that fails leaves its part unvalidated; it
 * never fails the route.
 */
final class RouteSecurity {

  private final DnsServers dns;

  RouteSecurity(DnsServers dns) {
    this.dns = dns;
  }

  /** The route with what DNSSEC validated marked. */
  Future<RouteCache.Resolution> mark(RouteCache.Resolution resolution) {
    Route route = resolution.route();
    List<Future<Boolean>> hosts = route.hosts().stream().map(this::addressesValidated).toList();
    Future<Boolean> names = switch (route.source()) {
      case STATIC -> Future.succeededFuture(true);
      case MX -> mxValidated(route);
      // an implicit MX's one host is the domain (or its canonical name): its address records are the MX's
      case IMPLICIT -> Future.succeededFuture(null);
    };
    return Future.join(names, Future.join(hosts)).transform(ignored -> {
      List<RouteHost> marked = new ArrayList<>();
      boolean all = true;
      for (int i = 0; i < hosts.size(); i++) {
        boolean validated = hosts.get(i).succeeded() && hosts.get(i).result();
        all &= validated;
        marked.add(route.hosts().get(i).withDnssec(validated));
      }
      boolean namesValidated = names.succeeded() && (names.result() == null ? all : names.result());
      return Future.succeededFuture(new RouteCache.Resolution(
          new Route(route.domain(), marked, route.source(), namesValidated), resolution.ttlSeconds()));
    });
  }

  /** Whether a validated MX answer for the domain names every host of the route. */
  private Future<Boolean> mxValidated(Route route) {
    return dns.validated(DnsRecordType.MX, route.domain()).map(reply -> {
      if (reply.rcode() != 0 || !reply.authenticData()) {
        return false;
      }
      Set<String> targets = new HashSet<>();
      reply.ofType(DnsRecordType.MX.intValue()).forEach(r -> targets.add(Domains.normalize(r.target())));
      return route.hosts().stream().allMatch(h -> targets.contains(h.name()));
    });
  }

  /** Whether validated A and AAAA answers (CNAMEs followed) hold every address of the host. */
  private Future<Boolean> addressesValidated(RouteHost host) {
    if (HostPort.isIpLiteral(host.name())) {
      return Future.succeededFuture(false);
    }
    Future<RecordQuery.Reply> v4 = dns.validated(DnsRecordType.A, host.name());
    Future<RecordQuery.Reply> v6 = dns.validated(DnsRecordType.AAAA, host.name());
    return Future.all(v4, v6).map(both -> {
      Set<String> validated = new HashSet<>();
      for (RecordQuery.Reply reply : List.of(v4.result(), v6.result())) {
        if (!reply.authenticData()) {
          return false;
        }
        for (RecordQuery.Rr r : reply.answers()) {
          if (r.type() == DnsRecordType.A.intValue() || r.type() == DnsRecordType.AAAA.intValue()) {
            validated.add(address(r.data()));
          }
        }
      }
      return validated.containsAll(host.addresses());
    });
  }

  private static String address(byte[] data) {
    try {
      return HostPort.canonicalAddress(InetAddress.getByAddress(data).getHostAddress());
    } catch (UnknownHostException malformed) {
      return "";
    }
  }
}
