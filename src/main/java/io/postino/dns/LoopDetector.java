package io.postino.dns;

import io.postino.bus.RouteHost;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Recognizes this server among the hosts of a route, by name or by address and port, so that
 * mail is never delivered to ourselves ("mail loops back to myself", as Postfix says).
 *
 * <p>A wildcard own address ({@code 0.0.0.0:25}, {@code [::]:25}) stands for every local
 * address on that port: loopback and the addresses of the network interfaces, read once when
 * the resolver is created.
 */
final class LoopDetector {

  private final Set<String> ownNames;
  private final Set<String> ownAddresses = new HashSet<>();
  private final Set<Integer> wildcardPorts = new HashSet<>();
  private final Set<String> localAddresses = new HashSet<>();

  LoopDetector(List<String> ownHostnames, List<String> ownAddresses) {
    this.ownNames = Set.copyOf(ownHostnames);
    for (String text : ownAddresses) {
      HostPort hp = HostPort.parse(text, MxResolverOptions.DEFAULT_SMTP_PORT);
      if (HostPort.toInetAddress(hp.host()).isAnyLocalAddress()) {
        wildcardPorts.add(hp.port());
      } else {
        this.ownAddresses.add(hp.toString());
      }
    }
    if (!wildcardPorts.isEmpty()) {
      localAddresses.addAll(interfaceAddresses());
    }
  }

  /** Whether a host name (normalized) is one of ours. */
  boolean isOwnName(String name) {
    return ownNames.contains(name);
  }

  /** Whether a host reached at this address and port would be this server. */
  boolean isOwnAddress(String address, int port) {
    if (ownAddresses.contains(new HostPort(address, port).toString())) {
      return true;
    }
    return wildcardPorts.contains(port)
        && (HostPort.toInetAddress(address).isLoopbackAddress() || localAddresses.contains(address));
  }

  /** Whether any address of the host is this server. */
  boolean isOwn(RouteHost host) {
    return isOwnName(host.name()) || host.addresses().stream().anyMatch(a -> isOwnAddress(a, host.port()));
  }

  private static Set<String> interfaceAddresses() {
    Set<String> addresses = new HashSet<>();
    try {
      for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
        for (InetAddress address : nic.inetAddresses().toList()) {
          // a link-local address carries a zone (%eth0) that DNS answers never have
          addresses.add(HostPort.canonicalAddress(address.getHostAddress().replaceFirst("%.*$", "")));
        }
      }
    } catch (SocketException e) {
      // without the interface list, loopback and the explicit own addresses still count
    }
    return addresses;
  }
}
