package io.postino.dns;

import io.postino.config.JsonReader;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Options of the MX resolver: which DNS servers to ask and how patiently, how long to cache, the
 * static routing table, and what counts as "this server" for mail-loop detection.
 *
 * <p>Like Vert.x options: defaults as {@code DEFAULT_*} constants, a copy constructor, a
 * {@link JsonObject} constructor whose keys are the property names ({@code servers},
 * {@code queryTimeout}, {@code retries}, {@code preferIpv6}, {@code negativeTtl},
 * {@code defaultTtl}, {@code smtpPort}, {@code maxAddresses}, {@code routes}, {@code ownHostnames},
 * {@code ownAddresses}, {@code trustAdBit}), and setters that reject invalid values with an
 * {@link IllegalArgumentException}.
 */
public class MxResolverOptions {

  /** The system's resolvers from /etc/resolv.conf ({@code 127.0.0.1:53} when it lists none). */
  public static final List<String> DEFAULT_SERVERS = SystemResolvers.read();
  /** Milliseconds to wait for one DNS server to answer one query. */
  public static final long DEFAULT_QUERY_TIMEOUT = 5000;
  /** How many times the whole server list is tried again after a timeout or server failure. */
  public static final int DEFAULT_RETRIES = 1;
  /** IPv4 addresses are listed before IPv6 ones: IPv4 works on every network. */
  public static final boolean DEFAULT_PREFER_IPV6 = false;
  /** Seconds a failure (NXDOMAIN, null MX, SERVFAIL, timeout...) is remembered. */
  public static final long DEFAULT_NEGATIVE_TTL = 30;
  /** Seconds a route is cached at most, since Vert.x gives no TTL for A and AAAA answers. */
  public static final long DEFAULT_DEFAULT_TTL = 300;
  /** The port of MX and implicit-MX hosts. */
  public static final int DEFAULT_SMTP_PORT = 25;
  /** Addresses a route needs at most: the outbound side's default {@code maxConnectAttempts}. */
  public static final int DEFAULT_MAX_ADDRESSES = 5;

  /** The AD bit is believed only from DNS servers on loopback: a validating resolver on this host. */
  public static final boolean DEFAULT_TRUST_AD_BIT = false;

  /** The key of the static route that applies to every domain without its own. */
  public static final String WILDCARD_ROUTE = "*";

  private List<String> servers;
  private long queryTimeout;
  private int retries;
  private boolean preferIpv6;
  private long negativeTtl;
  private long defaultTtl;
  private int smtpPort;
  private int maxAddresses;
  private Map<String, List<String>> routes;
  private List<String> ownHostnames;
  private List<String> ownAddresses;
  private boolean trustAdBit;
  private boolean dnssec;

  public MxResolverOptions() {
    servers = DEFAULT_SERVERS;
    queryTimeout = DEFAULT_QUERY_TIMEOUT;
    retries = DEFAULT_RETRIES;
    preferIpv6 = DEFAULT_PREFER_IPV6;
    negativeTtl = DEFAULT_NEGATIVE_TTL;
    defaultTtl = DEFAULT_DEFAULT_TTL;
    smtpPort = DEFAULT_SMTP_PORT;
    maxAddresses = DEFAULT_MAX_ADDRESSES;
    routes = Map.of();
    ownHostnames = List.of();
    ownAddresses = List.of();
    trustAdBit = DEFAULT_TRUST_AD_BIT;
  }

  public MxResolverOptions(MxResolverOptions other) {
    servers = other.servers;
    queryTimeout = other.queryTimeout;
    retries = other.retries;
    preferIpv6 = other.preferIpv6;
    negativeTtl = other.negativeTtl;
    defaultTtl = other.defaultTtl;
    smtpPort = other.smtpPort;
    maxAddresses = other.maxAddresses;
    routes = other.routes;
    ownHostnames = other.ownHostnames;
    ownAddresses = other.ownAddresses;
    trustAdBit = other.trustAdBit;
    dnssec = other.dnssec;
  }

  /** Reads a {@code "dns"} object on its own: unknown keys and wrong types are refused. */
  public MxResolverOptions(JsonObject json) {
    this();
    JsonReader reader = JsonReader.of(json, "dns");
    read(reader);
    reader.reportUnknown();
  }

  /** Reads the {@code "dns"} object of a whole configuration, whose reader reports unknown keys. */
  public MxResolverOptions(JsonReader json) {
    this();
    read(json);
  }

  private void read(JsonReader json) {
    if (json.has("servers")) {
      setServers(json.stringList("servers", List.of()));
    }
    setQueryTimeout(json.longInteger("queryTimeout", queryTimeout));
    setRetries(json.integer("retries", retries));
    setPreferIpv6(json.bool("preferIpv6", preferIpv6));
    setTrustAdBit(json.bool("trustAdBit", trustAdBit));
    setNegativeTtl(json.longInteger("negativeTtl", negativeTtl));
    setDefaultTtl(json.longInteger("defaultTtl", defaultTtl));
    setSmtpPort(json.integer("smtpPort", smtpPort));
    setMaxAddresses(json.integer("maxAddresses", maxAddresses));
    if (json.has("routes")) {
      // a domain (or "*") maps to an array of "host:port" strings, or to one such string
      JsonReader routesJson = json.object("routes");
      Map<String, List<String>> map = new LinkedHashMap<>();
      for (String domain : routesJson.fieldNames()) {
        map.put(domain, routesJson.raw(domain) instanceof String one ? List.of(one)
            : routesJson.stringList(domain, List.of()));
      }
      setRoutes(map);
    }
    if (json.has("ownHostnames")) {
      setOwnHostnames(json.stringList("ownHostnames", List.of()));
    }
    if (json.has("ownAddresses")) {
      setOwnAddresses(json.stringList("ownAddresses", List.of()));
    }
  }

  public JsonObject toJson() {
    JsonObject routesJson = new JsonObject();
    routes.forEach((domain, hosts) -> routesJson.put(domain, new JsonArray(hosts)));
    return new JsonObject()
        .put("servers", new JsonArray(servers))
        .put("queryTimeout", queryTimeout)
        .put("retries", retries)
        .put("preferIpv6", preferIpv6)
        .put("trustAdBit", trustAdBit)
        .put("negativeTtl", negativeTtl)
        .put("defaultTtl", defaultTtl)
        .put("smtpPort", smtpPort)
        .put("maxAddresses", maxAddresses)
        .put("routes", routesJson)
        .put("ownHostnames", new JsonArray(ownHostnames))
        .put("ownAddresses", new JsonArray(ownAddresses));
  }

  /** The DNS servers, as {@code "ip:port"}, tried in this order. */
  public List<String> getServers() {
    return servers;
  }

  /**
   * Sets the DNS servers to ask, in order: {@code "ip:port"}, {@code "[ipv6]:port"} or an IP
   * alone (port 53). IP addresses only: resolving a resolver's name would need a resolver.
   */
  public MxResolverOptions setServers(List<String> servers) {
    if (servers == null || servers.isEmpty()) {
      throw new IllegalArgumentException("at least one DNS server is needed");
    }
    List<String> checked = new ArrayList<>();
    for (String server : servers) {
      HostPort hp = HostPort.parse(server, 53);
      if (!hp.isIpLiteral()) {
        throw new IllegalArgumentException("a DNS server must be an IP address: " + server);
      }
      checked.add(hp.toString());
    }
    this.servers = List.copyOf(checked);
    return this;
  }

  public long getQueryTimeout() {
    return queryTimeout;
  }

  /** Milliseconds to wait for one server's answer to one query; more than 0. */
  public MxResolverOptions setQueryTimeout(long queryTimeout) {
    if (queryTimeout <= 0) {
      throw new IllegalArgumentException("queryTimeout must be > 0: " + queryTimeout);
    }
    this.queryTimeout = queryTimeout;
    return this;
  }

  public int getRetries() {
    return retries;
  }

  /**
   * How many more times every server is tried after timeouts, SERVFAIL or REFUSED; 0 or more.
   * A query can thus take up to {@code (retries + 1) * servers * queryTimeout}.
   */
  public MxResolverOptions setRetries(int retries) {
    if (retries < 0) {
      throw new IllegalArgumentException("retries must be >= 0: " + retries);
    }
    this.retries = retries;
    return this;
  }

  public boolean isPreferIpv6() {
    return preferIpv6;
  }

  /** Whether each host lists its IPv6 addresses before its IPv4 ones. */
  public MxResolverOptions setPreferIpv6(boolean preferIpv6) {
    this.preferIpv6 = preferIpv6;
    return this;
  }

  public boolean isTrustAdBit() {
    return trustAdBit;
  }

  /**
   * Whether the AD bit (DNSSEC validated) is believed from every configured server, not only from
   * those on loopback: for a validating resolver reached over a path as trusted as loopback.
   */
  public MxResolverOptions setTrustAdBit(boolean trustAdBit) {
    this.trustAdBit = trustAdBit;
    return this;
  }

  public boolean isDnssec() {
    return dnssec;
  }

  /**
   * Whether routes say which of their parts DNSSEC validated (for DANE, RFC 7672 section 2.2):
   * not a {@code dns} key, but on when outbound DANE is not off ({@code delivery.tlsPolicy}), so
   * that without DANE a route costs no more queries.
   */
  public MxResolverOptions setDnssec(boolean dnssec) {
    this.dnssec = dnssec;
    return this;
  }

  public long getNegativeTtl() {
    return negativeTtl;
  }

  /**
   * Seconds a failure is cached, and the longest a route missing some hosts (one of them failed
   * temporarily) is cached; 0 disables negative caching.
   */
  public MxResolverOptions setNegativeTtl(long negativeTtl) {
    if (negativeTtl < 0) {
      throw new IllegalArgumentException("negativeTtl must be >= 0: " + negativeTtl);
    }
    this.negativeTtl = negativeTtl;
    return this;
  }

  public long getDefaultTtl() {
    return defaultTtl;
  }

  /**
   * Seconds a route is cached when DNS gives no TTL, which is the case for the addresses of every
   * host: a route is cached for the smallest of its MX TTLs and this; 0 disables caching.
   */
  public MxResolverOptions setDefaultTtl(long defaultTtl) {
    if (defaultTtl < 0) {
      throw new IllegalArgumentException("defaultTtl must be >= 0: " + defaultTtl);
    }
    this.defaultTtl = defaultTtl;
    return this;
  }

  public int getMaxAddresses() {
    return maxAddresses;
  }

  /**
   * Sets how many distinct addresses a route needs: MX hosts are resolved in order of preference
   * only until this many are found, so a domain with 50 MX names costs a few lookups, not 100.
   * Keep it at or above the outbound {@code maxConnectAttempts}, which uses no more.
   */
  public MxResolverOptions setMaxAddresses(int maxAddresses) {
    if (maxAddresses < 1) {
      throw new IllegalArgumentException("invalid maxAddresses: " + maxAddresses);
    }
    this.maxAddresses = maxAddresses;
    return this;
  }

  public int getSmtpPort() {
    return smtpPort;
  }

  /** The port of hosts found through DNS, and of static routes that name no port. */
  public MxResolverOptions setSmtpPort(int smtpPort) {
    if (smtpPort < 1 || smtpPort > 65535) {
      throw new IllegalArgumentException("invalid smtpPort: " + smtpPort);
    }
    this.smtpPort = smtpPort;
    return this;
  }

  /** The static routes: lower-case domain or {@code "*"} to {@code "host:port"} list. */
  public Map<String, List<String>> getRoutes() {
    return routes;
  }

  /**
   * Sets the static routing table, consulted before DNS (like Postfix's transport map): a domain,
   * or {@code "*"} for every other domain, maps to the hosts to try in order, each a
   * {@code "host:port"} (host name or IP; the port defaults to {@link #getSmtpPort()}).
   */
  public MxResolverOptions setRoutes(Map<String, List<String>> routes) {
    Map<String, List<String>> checked = new LinkedHashMap<>();
    routes.forEach((domain, hosts) -> {
      String key = domain.equals(WILDCARD_ROUTE) ? domain : Domains.normalize(domain);
      if (key == null) {
        throw new IllegalArgumentException("invalid domain in routes: " + domain);
      }
      if (hosts == null || hosts.isEmpty()) {
        throw new IllegalArgumentException("route for " + domain + " has no host");
      }
      // parse now so that a typo fails at start-up, not at the first message
      hosts.forEach(h -> HostPort.parse(h, DEFAULT_SMTP_PORT));
      checked.put(key, List.copyOf(hosts));
    });
    this.routes = Map.copyOf(checked);
    return this;
  }

  /** Adds one static route; see {@link #setRoutes}. */
  public MxResolverOptions addRoute(String domain, String... hosts) {
    Map<String, List<String>> copy = new LinkedHashMap<>(routes);
    copy.put(domain, List.of(hosts));
    return setRoutes(copy);
  }

  public List<String> getOwnHostnames() {
    return ownHostnames;
  }

  /**
   * The names of this server: an MX host with one of these names is this server, so mail for
   * that domain would loop.
   */
  public MxResolverOptions setOwnHostnames(List<String> ownHostnames) {
    List<String> checked = new ArrayList<>();
    for (String name : ownHostnames) {
      String normalized = Domains.normalize(name);
      if (normalized == null) {
        throw new IllegalArgumentException("invalid host name: " + name);
      }
      checked.add(normalized);
    }
    this.ownHostnames = List.copyOf(checked);
    return this;
  }

  public List<String> getOwnAddresses() {
    return ownAddresses;
  }

  /**
   * The addresses where this server listens, {@code "ip:port"}: a host that resolves to one of
   * them (on the port it would be contacted on) is this server. A wildcard such as
   * {@code 0.0.0.0:25} or {@code [::]:25} stands for every local address on that port.
   */
  public MxResolverOptions setOwnAddresses(List<String> ownAddresses) {
    List<String> checked = new ArrayList<>();
    for (String address : ownAddresses) {
      HostPort hp = HostPort.parse(address, DEFAULT_SMTP_PORT);
      if (!hp.isIpLiteral()) {
        throw new IllegalArgumentException("an own address must be an IP address: " + address);
      }
      checked.add(hp.toString());
    }
    this.ownAddresses = List.copyOf(checked);
    return this;
  }
  /**
   * A copy that also knows this server as its own: its host name, and the SMTP listen address
   * when it listens on a fixed port (so that mail for a domain whose MX is this server is never
   * sent back to it).
   */
  public MxResolverOptions withOwn(String hostname, String listenHost, int listenPort) {
    MxResolverOptions options = new MxResolverOptions(this);
    List<String> names = new ArrayList<>(options.getOwnHostnames());
    if (!names.contains(hostname)) {
      names.add(hostname);
    }
    options.setOwnHostnames(names);
    if (listenPort > 0) {
      List<String> addresses = new ArrayList<>(options.getOwnAddresses());
      addresses.add((listenHost.indexOf(':') >= 0 ? "[" + listenHost + "]" : listenHost) + ":" + listenPort);
      options.setOwnAddresses(addresses);
    }
    return options;
  }

}
