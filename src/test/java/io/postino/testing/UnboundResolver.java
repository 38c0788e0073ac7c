package io.postino.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A real validating resolver on loopback for DANE tests: Unbound (Debian's {@code unbound}),
 * serving test zones from files as their authoritative source ({@code auth-zone}, for upstream
 * only, so that its answers go through its validator) with a signed zone's key as the only trust
 * anchor. Zones are signed by {@code ldns-signzone} (Debian's {@code ldnsutils}) with a key made by
 * {@code ldns-keygen}: NSEC records and all, as a real signed zone. A name outside the signed zone
 * is insecure (no trust anchor above it), as an unsigned delegation is; a record changed after
 * signing is bogus, which Unbound answers with SERVFAIL.
 */
public final class UnboundResolver implements AutoCloseable {

  /** A zone to serve: its origin, its records (zone-file lines relative to nothing: absolute names). */
  public record Zone(String origin, List<String> records, Signing signing) {
  }

  /** How a zone is served. */
  public enum Signing {
    /** Signed with the trust anchor's key: validated, AD set. */
    SIGNED,
    /** Not signed, and no trust anchor: insecure, AD clear. */
    UNSIGNED
  }

  private final Process process;
  private final Path log;
  private final int port;

  private UnboundResolver(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** {@code "127.0.0.1:port"}, for {@code dns.servers}. */
  public String address() {
    return "127.0.0.1:" + port;
  }

  /**
   * Starts Unbound under {@code dir} serving {@code zones}; the first signed zone's key is the
   * trust anchor (at most one signed zone).
   */
  public static UnboundResolver start(Path dir, Zone... zones) throws Exception {
    StringBuilder authZones = new StringBuilder();
    String anchor = null;
    for (Zone zone : zones) {
      Path file = dir.resolve(zone.origin() + ".zone");
      List<String> lines = new ArrayList<>();
      lines.add("$TTL 300");
      lines.add(zone.origin() + ". IN SOA ns." + zone.origin() + ". hostmaster." + zone.origin() + ". 1 3600 600 86400 300");
      lines.add(zone.origin() + ". IN NS ns." + zone.origin() + ".");
      lines.add("ns." + zone.origin() + ". IN A 127.0.0.1");
      lines.addAll(zone.records());
      Files.write(file, lines, StandardCharsets.US_ASCII);
      if (zone.signing() == Signing.SIGNED) {
        String key = run(dir, "ldns-keygen", "-a", "ECDSAP256SHA256", "-k", zone.origin()).trim();
        run(dir, "ldns-signzone", file.getFileName().toString(), key);
        file = dir.resolve(zone.origin() + ".zone.signed");
        anchor = dir.resolve(key + ".key").toString();
      }
      authZones.append("auth-zone:\n  name: \"").append(zone.origin()).append("\"\n  zonefile: \"").append(file)
          .append("\"\n  for-upstream: yes\n  for-downstream: no\n  fallback-enabled: no\n");
    }
    int port = freePort();
    Path conf = dir.resolve("unbound.conf");
    Files.writeString(conf, "server:\n"
        + "  interface: 127.0.0.1\n  port: " + port + "\n  do-ip6: no\n  do-daemonize: no\n"
        + "  username: \"\"\n  chroot: \"\"\n  directory: \"" + dir + "\"\n  pidfile: \"" + dir.resolve("unbound.pid") + "\"\n"
        + "  use-syslog: no\n  logfile: \"\"\n  verbosity: 1\n  val-log-level: 2\n"
        + "  access-control: 127.0.0.0/8 allow\n  qname-minimisation: no\n"
        // "test." is one of Unbound's default local zones (RFC 6761): let it resolve
        + "  local-zone: \"test.\" nodefault\n"
        + (anchor == null ? "" : "  trust-anchor-file: \"" + anchor + "\"\n")
        + authZones);
    return launch(dir, port, zones[0].origin());
  }

  /**
   * Starts Unbound again as {@link #start} last configured it under {@code dir} (same port, zones
   * read anew: a zone file changed since is served as it now is).
   */
  public static UnboundResolver restart(Path dir) throws Exception {
    String conf = Files.readString(dir.resolve("unbound.conf"));
    java.util.regex.Matcher port = java.util.regex.Pattern.compile("\n  port: (\\d+)\n").matcher(conf);
    java.util.regex.Matcher zone = java.util.regex.Pattern.compile("auth-zone:\n  name: \"([^\"]+)\"").matcher(conf);
    if (!port.find() || !zone.find()) {
      throw new IOException("no port or zone in " + conf);
    }
    return launch(dir, Integer.parseInt(port.group(1)), zone.group(1));
  }

  private static UnboundResolver launch(Path dir, int port, String origin) throws Exception {
    Path log = dir.resolve("unbound.log");
    Process process = new ProcessBuilder(executable("unbound"), "-d", "-c", dir.resolve("unbound.conf").toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    UnboundResolver resolver = new UnboundResolver(process, log, port);
    try {
      resolver.awaitAnswer(origin);
    } catch (Exception e) {
      resolver.close();
      throw e;
    }
    return resolver;
  }

  /** Waits until Unbound answers a question about the zone's SOA (it loads the zones at start). */
  private void awaitAnswer(String origin) throws Exception {
    SimpleResolver client = new SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    client.setTimeout(Duration.ofMillis(250));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("unbound exited: " + Files.readString(log));
      }
      try {
        Message reply = client.send(Message.newQuery(Record.newRecord(Name.fromString(origin + "."), Type.SOA, 1)));
        if (reply.getRcode() == Rcode.NOERROR) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet: the timeout above paces the next try
      }
    }
    throw new IOException("unbound did not answer in 15 s: " + Files.readString(log));
  }

  /** What Unbound logged (validation failures among them). */
  public String log() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The signed zone file, to change a record after signing (making it bogus). */
  public static Path signedZoneFile(Path dir, String origin) {
    return dir.resolve(origin + ".zone.signed");
  }

  private static String run(Path dir, String command, String... args) throws Exception {
    List<String> line = new ArrayList<>();
    line.add(executable(command));
    line.addAll(List.of(args));
    Process p = new ProcessBuilder(line).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(line + " failed: " + out);
    }
    return out;
  }

  /** Debian puts unbound in /usr/sbin, which a test's PATH may lack. */
  private static String executable(String name) {
    for (String d : List.of("/usr/sbin/", "/usr/bin/")) {
      if (Files.isExecutable(Path.of(d + name))) {
        return d + name;
      }
    }
    return name;
  }

  /** A port free on 127.0.0.1 for both UDP and TCP (Unbound listens on both). */
  private static int freePort() throws IOException {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    for (int attempt = 0; ; attempt++) {
      try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, 0));
          ServerSocket tcp = new ServerSocket(udp.getLocalPort(), 1, loopback)) {
        return udp.getLocalPort();
      } catch (IOException e) {
        if (attempt == 20) {
          throw e;
        }
      }
    }
  }
}
