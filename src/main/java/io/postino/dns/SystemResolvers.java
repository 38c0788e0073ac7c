package io.postino.dns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The DNS servers this machine is configured to use, read from {@code /etc/resolv.conf}: the
 * default of {@link MxResolverOptions#getServers()}.
 */
final class SystemResolvers {

  static final String FALLBACK = "127.0.0.1:53";

  private SystemResolvers() {
  }

  /** The {@code nameserver} lines of /etc/resolv.conf as {@code host:port}, or 127.0.0.1:53 if none. */
  static List<String> read() {
    try {
      return parse(Files.readString(Path.of("/etc/resolv.conf")));
    } catch (IOException | RuntimeException e) {
      return List.of(FALLBACK);
    }
  }

  static List<String> parse(String resolvConf) {
    List<String> servers = new ArrayList<>();
    for (String line : resolvConf.split("\n")) {
      String[] words = line.strip().split("\\s+");
      if (words.length >= 2 && words[0].equals("nameserver")) {
        // a link-local IPv6 server carries a zone (fe80::1%eth0) that a DNS client cannot use
        String host = words[1].contains("%") ? null : words[1];
        if (host != null && HostPort.isIpLiteral(host)) {
          servers.add(new HostPort(host, 53).toString());
        }
      }
    }
    return servers.isEmpty() ? List.of(FALLBACK) : List.copyOf(servers);
  }
}
