package io.postino.tlspolicy;

import io.postino.bus.RouteHost;
import java.util.List;

/**
 * The TLS policy of mail to one domain: per host of its route, in the route's order, the policy a
 * session to it follows and what a TLS report about that session describes.
 */
public record Destination(String domain, List<HostPolicy> hosts) {

  public Destination {
    hosts = List.copyOf(hosts);
  }

  /** One host of the route, its policy and the report scope its sessions count in. */
  public record HostPolicy(RouteHost host, TlsPolicy policy, TlsReporter.Scope scope) {
  }
}
