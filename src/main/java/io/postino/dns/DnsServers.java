package io.postino.dns;

import io.netty.resolver.dns.DnsNameResolverTimeoutException;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.util.NetUtil;
import io.postino.metrics.DnsMeters;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.dns.DnsClient;
import io.vertx.core.dns.DnsClientOptions;
import io.vertx.core.dns.DnsException;
import io.vertx.core.dns.DnsResponseCode;
import io.vertx.core.dns.MxRecord;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The configured DNS servers behind one query API, with what Vert.x's {@link DnsClient} lacks:
 * failover from one server to the next and retries (a Vert.x client talks to one server), and
 * one query in flight per question, shared by everyone who asks it (concurrent identical
 * queries on one Vert.x client fail with an {@code IndexOutOfBoundsException}).
 *
 * <p>SECURITY: every query gets a {@link DnsClient} of its own, closed once it is answered, so
 * each goes out from a fresh ephemeral UDP port: a blind off-path attacker forging MX answers
 * must guess the port as well as the transaction id. A client kept for the process's life would
 * send every query from one fixed port, and Netty 4.2.9 (the version the Vert.x 5.0.7 BOM brings)
 * draws the ids of a fresh client from 0-16383 only (14 bits). Vert.x's options set no local
 * address: the socket is bound to the wildcard address. A validating resolver on loopback is
 * the recommended setup (README, MX resolution). TXT questions, which Vert.x's client cannot answer
 * record by record, and DNSSEC questions, whose AD bit it does not show, go through
 * {@link RecordQuery}, which keeps the fresh port and draws all 16 bits of the id.
 *
 * <p>SECURITY: the AD bit of an answer says a resolver validated it (RFC 4035 section 3.2.3), but
 * nothing protects the bit itself on the way: it is believed only from a server on loopback (a
 * validating resolver on this host, what Postfix requires for DANE), or from every configured
 * server when {@code dns.trustAdBit} says the path to them is trusted.
 *
 * <p>NXDOMAIN is an answer and ends the query; a timeout, SERVFAIL, REFUSED or any other error
 * moves on to the next server. Each question fails with the last error once every server has
 * been tried {@code retries + 1} times.
 */
final class DnsServers {

  private static final int NXDOMAIN = 3;

  private final Vertx vertx;
  private final List<DnsClientOptions> servers = new ArrayList<>();
  private final int attempts;
  private final boolean trustAdBit;
  private final DnsMeters meters;
  private final Map<String, Future<?>> inflight = new ConcurrentHashMap<>();

  DnsServers(Vertx vertx, MxResolverOptions options) {
    this(vertx, options, DnsMeters.none());
  }

  DnsServers(Vertx vertx, MxResolverOptions options, DnsMeters meters) {
    this.vertx = vertx;
    this.meters = meters;
    for (String server : options.getServers()) {
      HostPort hp = HostPort.parse(server, 53);
      servers.add(new DnsClientOptions()
          .setHost(hp.host())
          .setPort(hp.port())
          .setQueryTimeout(options.getQueryTimeout()));
    }
    attempts = servers.size() * (options.getRetries() + 1);
    trustAdBit = options.isTrustAdBit();
  }

  /** The MX records of a name, unsorted; a null MX has a null or empty name. */
  Future<List<MxRecord>> mx(String name) {
    return query("MX", name, viaClient(client -> client.resolveMX(name)));
  }

  /** The IPv4 addresses of a name; empty when the name is a CNAME. */
  Future<List<String>> a(String name) {
    return query("A", name, viaClient(client -> client.resolveA(name)));
  }

  /** The IPv6 addresses of a name; empty when the name is a CNAME. */
  Future<List<String>> aaaa(String name) {
    return query("AAAA", name, viaClient(client -> client.resolveAAAA(name)));
  }

  /** The canonical name a name is an alias of, in a list of zero or one. */
  Future<List<String>> cname(String name) {
    return query("CNAME", name, viaClient(client -> client.resolveCNAME(name)));
  }

  /**
   * The name a reverse-lookup name ({@code 4.3.2.1.in-addr.arpa}) points to, in a list of zero or
   * one: Vert.x's client gives the first PTR record only.
   */
  Future<List<String>> ptr(String name) {
    return query("PTR", name, viaClient(client -> client.resolvePTR(name)
        .map(n -> n == null ? List.<String>of() : List.of(n))));
  }

  /**
   * The TXT records of a name, one string per record, its strings joined ({@link RecordQuery}: Vert.x's
   * client loses the record boundaries).
   */
  Future<List<String>> txt(String name) {
    return query("TXT", name, server -> RecordQuery.ask(vertx, server, name, DnsRecordType.TXT, false)
        .compose(reply -> reply.rcode() == 0 ? Future.succeededFuture(reply.txt())
            : Future.failedFuture(new DnsException(DnsResponseCode.valueOf(reply.rcode())))));
  }

  /**
   * The records of a type at a name, and whether a resolver this server trusts validated them
   * (DNSSEC). NXDOMAIN is an answer here (the reply has its code, 3, and no records): whether it
   * was validated matters as much as for records. Other errors fail over to the next server.
   */
  Future<RecordQuery.Reply> validated(DnsRecordType type, String name) {
    return query("DNSSEC " + type.name(), name, server -> RecordQuery.ask(vertx, server, name, type, true)
        .compose(reply -> reply.rcode() != 0 && reply.rcode() != NXDOMAIN
            ? Future.failedFuture(new DnsException(DnsResponseCode.valueOf(reply.rcode())))
            : Future.succeededFuture(reply.authenticData() && !trusts(server)
                ? new RecordQuery.Reply(reply.rcode(), false, reply.answers()) : reply)));
  }

  /** Whether the AD bit of any configured server is believed: else asking for it is pointless. */
  boolean believesAnyAdBit() {
    return servers.stream().anyMatch(this::trusts);
  }

  private boolean trusts(DnsClientOptions server) {
    return believesAdBit(server.getHost(), trustAdBit);
  }

  /** Whether the AD bit of the answers of the server at {@code host} (an IP address) is believed. */
  static boolean believesAdBit(String host, boolean trustAdBit) {
    if (trustAdBit) {
      return true;
    }
    byte[] address = NetUtil.createByteArrayFromIpAddressString(host);
    try {
      return address != null && InetAddress.getByAddress(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** Nothing to release: each query's client is closed when the query ends. */
  Future<Void> close() {
    return Future.succeededFuture();
  }

  static boolean isNxDomain(Throwable failure) {
    return failure instanceof DnsException e && e.code() == DnsResponseCode.NXDOMAIN;
  }

  /** A short description of a failed query, for the reason of a temporary failure. */
  static String describe(Throwable failure) {
    if (failure instanceof DnsException e) {
      return "DNS server answered " + e.code().name();
    }
    if (failure instanceof DnsNameResolverTimeoutException) {
      return "no answer from any DNS server (timeout)";
    }
    return String.valueOf(failure.getMessage());
  }

  @SuppressWarnings("unchecked")
  private <T> Future<T> query(String type, String name, Function<DnsClientOptions, Future<T>> ask) {
    String key = type + ' ' + name;
    Promise<T> mine = Promise.promise();
    Future<?> existing = inflight.putIfAbsent(key, mine.future());
    if (existing != null) {
      return (Future<T>) existing;
    }
    meters.lookup();
    attempt(0, ask).onComplete(ar -> {
      inflight.remove(key, mine.future());
      mine.handle(ar);
    });
    return mine.future();
  }

  /** A question asked through a Vert.x client of its own for the server, closed once answered. */
  private <T> Function<DnsClientOptions, Future<T>> viaClient(Function<DnsClient, Future<T>> ask) {
    return server -> {
      DnsClient client = vertx.createDnsClient(server);
      Future<T> answer;
      try {
        answer = ask.apply(client);
      } catch (RuntimeException e) {
        answer = Future.failedFuture(e);
      }
      return answer.andThen(ar -> client.close());
    };
  }

  private <T> Future<T> attempt(int n, Function<DnsClientOptions, Future<T>> ask) {
    Future<T> answer;
    try {
      answer = ask.apply(servers.get(n % servers.size()));
    } catch (RuntimeException e) {
      // a question that throws instead of failing its future must not leave the query in flight forever
      answer = Future.failedFuture(e);
    }
    return answer.recover(failure ->
        isNxDomain(failure) || n + 1 >= attempts ? Future.failedFuture(failure) : attempt(n + 1, ask));
  }
}
