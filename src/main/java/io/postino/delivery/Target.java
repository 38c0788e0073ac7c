package io.postino.delivery;

/**
 * One address of one MX host (or the LMTP server of a transport), as the client connects to it.
 *
 * @param host    the host name from the route (the TLS server name, and what a DSN reports); for a
 *                unix-domain socket this server's name, as Postfix reports it
 * @param address the IP address to connect to, a host name to look up when connecting (an LMTP
 *                transport's), or the path of a unix-domain socket
 * @param port    the TCP port; 0 for a unix-domain socket
 */
record Target(String host, String address, int port) {

  /** A unix-domain socket at {@code path}, reported as {@code host[path]}. */
  static Target unixSocket(String host, String path) {
    return new Target(host, path, 0);
  }

  boolean isUnixSocket() {
    return port == 0;
  }

  /** {@code host[address]:port} ({@code host[path]} for a unix socket), as Postfix writes it in logs and bounces. */
  @Override
  public String toString() {
    return isUnixSocket() ? host + "[" + address + "]" : host + "[" + address + "]:" + port;
  }

  /** The key of per-host limits: connections are counted by address and port (or socket path), not by name. */
  String endpoint() {
    return isUnixSocket() ? address : address.indexOf(':') >= 0 ? "[" + address + "]:" + port : address + ":" + port;
  }
}
