package io.postino.delivery;

/**
 * One address of one MX host, as the client connects to it.
 *
 * @param host    the host name from the route (the TLS server name, and what a DSN reports)
 * @param address the IP address to connect to
 */
record Target(String host, String address, int port) {

  /** {@code host[address]:port}, as Postfix writes it in logs and bounces. */
  @Override
  public String toString() {
    return host + "[" + address + "]:" + port;
  }

  /** The key of per-host limits: connections are counted by address and port, not by name. */
  String endpoint() {
    return address.indexOf(':') >= 0 ? "[" + address + "]:" + port : address + ":" + port;
  }
}
