package io.postino.delivery;

import io.postino.config.Seconds;
import io.postino.config.JsonReader;
import io.postino.tlspolicy.TlsPolicyOptions;
import io.postino.tlspolicy.TlsSettings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Options of outbound delivery: the SMTP client's timeouts and TLS policy, connection reuse,
 * concurrency limits and smarthost credentials. Maps onto the {@code "delivery"} object of
 * {@code conf/postino.json}; durations there are seconds (fractions allowed). (Not called
 * {@code DeliveryOptions}, which every Vert.x user knows as the event bus's.)
 *
 * <p>The limits per host and per domain hold for the whole cluster (for the process when it is not
 * clustered), whatever the number of {@link DeliveryVerticle} instances and nodes: see
 * {@link SharedLimits}; {@code maxConnections} is per instance.
 *
 * <p>SECURITY: {@code auth} holds smarthost passwords in clear; keep the configuration file
 * readable by Postino's user only. A password is only ever sent over TLS unless
 * {@code authRequiresTls} is turned off.
 */
public final class OutboundOptions {

  public static final int DEFAULT_INSTANCES = 1;
  /** Postfix's smtp_connect_timeout; also bounds each TLS handshake. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);
  /** RFC 5321 section 4.5.3.2: 5 minutes for the greeting, MAIL and RCPT. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMinutes(5);
  /** RFC 5321 section 4.5.3.2.6: 10 minutes for the reply after the end of data. */
  public static final Duration DEFAULT_DATA_TIMEOUT = Duration.ofMinutes(10);
  /** Above the MX resolver's worst case with its defaults (10 s). */
  public static final Duration DEFAULT_RESOLVE_TIMEOUT = Duration.ofSeconds(60);
  public static final boolean DEFAULT_STARTTLS = true;
  /** Opportunistic TLS (RFC 7435) does not verify: an unverified channel beats plaintext. */
  public static final boolean DEFAULT_VERIFY_CERTIFICATES = false;
  public static final int DEFAULT_MAX_CONNECTIONS = 500;
  /** Postfix's default_destination_concurrency_limit. */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_HOST = 20;
  public static final int DEFAULT_MAX_CONNECTIONS_PER_DOMAIN = 20;
  public static final int DEFAULT_MAX_MESSAGES_PER_CONNECTION = 100;
  /** How long a finished session waits for the next message to the same host. */
  public static final Duration DEFAULT_CONNECTION_IDLE_TIMEOUT = Duration.ofSeconds(5);
  /** Postfix's smtp_mx_address_limit: host addresses tried for one job. */
  public static final int DEFAULT_MAX_CONNECT_ATTEMPTS = 5;
  public static final boolean DEFAULT_AUTH_REQUIRES_TLS = true;

  /** A user name and password for AUTH PLAIN or LOGIN. */
  public record Credentials(String username, String password) {
    public Credentials {
      Objects.requireNonNull(username, "username");
      Objects.requireNonNull(password, "password");
    }

    @Override
    public String toString() {
      return "Credentials[" + username + ", ****]";
    }
  }

  private int instances = DEFAULT_INSTANCES;
  private String heloName;
  private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
  private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
  private Duration dataTimeout = DEFAULT_DATA_TIMEOUT;
  private Duration resolveTimeout = DEFAULT_RESOLVE_TIMEOUT;
  private boolean starttls = DEFAULT_STARTTLS;
  private boolean verifyCertificates = DEFAULT_VERIFY_CERTIFICATES;
  private List<String> requireTlsDomains = List.of();
  private List<String> trustedCertificates = List.of();
  private int maxConnections = DEFAULT_MAX_CONNECTIONS;
  private int maxConnectionsPerHost = DEFAULT_MAX_CONNECTIONS_PER_HOST;
  private int maxConnectionsPerDomain = DEFAULT_MAX_CONNECTIONS_PER_DOMAIN;
  private int maxMessagesPerConnection = DEFAULT_MAX_MESSAGES_PER_CONNECTION;
  private Duration connectionIdleTimeout = DEFAULT_CONNECTION_IDLE_TIMEOUT;
  private int maxConnectAttempts = DEFAULT_MAX_CONNECT_ATTEMPTS;
  private Map<String, Credentials> auth = Map.of();
  private boolean authRequiresTls = DEFAULT_AUTH_REQUIRES_TLS;
  private TlsPolicyOptions tlsPolicy = new TlsPolicyOptions();
  private DestinationLimits limits = new DestinationLimits();

  public OutboundOptions() {
  }

  public OutboundOptions(OutboundOptions other) {
    this(other.toJson(true));
  }

  /** Reads a {@code "delivery"} object on its own: unknown keys and wrong types are refused. */
  public OutboundOptions(JsonObject json) {
    this();
    JsonReader reader = JsonReader.of(json, "delivery");
    read(reader);
    reader.reportUnknown();
  }

  /** Reads the {@code "delivery"} object of a whole configuration, whose reader reports unknown keys. */
  public OutboundOptions(JsonReader json) {
    this();
    read(json);
  }

  private void read(JsonReader json) {
    setInstances(json.integer("instances", instances));
    setHeloName(json.string("heloName", null));
    setConnectTimeout(json.seconds("connectTimeout", connectTimeout));
    setCommandTimeout(json.seconds("commandTimeout", commandTimeout));
    setDataTimeout(json.seconds("dataTimeout", dataTimeout));
    setResolveTimeout(json.seconds("resolveTimeout", resolveTimeout));
    setStarttls(json.bool("starttls", starttls));
    setVerifyCertificates(json.bool("verifyCertificates", verifyCertificates));
    setRequireTlsDomains(json.stringList("requireTlsDomains", List.of()));
    setTrustedCertificates(json.stringList("trustedCertificates", List.of()));
    setMaxConnections(json.integer("maxConnections", maxConnections));
    setMaxConnectionsPerHost(json.integer("maxConnectionsPerHost", maxConnectionsPerHost));
    setMaxConnectionsPerDomain(json.integer("maxConnectionsPerDomain", maxConnectionsPerDomain));
    setMaxMessagesPerConnection(json.integer("maxMessagesPerConnection", maxMessagesPerConnection));
    setConnectionIdleTimeout(json.seconds("connectionIdleTimeout", connectionIdleTimeout));
    setMaxConnectAttempts(json.integer("maxConnectAttempts", maxConnectAttempts));
    JsonReader authJson = json.object("auth");
    Map<String, Credentials> credentials = new LinkedHashMap<>();
    for (String host : authJson.fieldNames()) {
      JsonReader c = authJson.object(host);
      credentials.put(host, new Credentials(c.requiredString("username"), c.requiredString("password")));
    }
    setAuth(credentials);
    setAuthRequiresTls(json.bool("authRequiresTls", authRequiresTls));
    setTlsPolicy(json.section("tlsPolicy", TlsPolicyOptions::new));
    setLimits(DestinationLimits.read(json));
  }

  public JsonObject toJson(boolean withSecrets) {
    JsonObject authJson = new JsonObject();
    auth.forEach((host, c) -> authJson.put(host, new JsonObject()
        .put("username", c.username())
        .put("password", withSecrets ? c.password() : "****")));
    JsonObject json = new JsonObject()
        .put("instances", instances)
        .put("heloName", heloName)
        .put("connectTimeout", Seconds.of(connectTimeout))
        .put("commandTimeout", Seconds.of(commandTimeout))
        .put("dataTimeout", Seconds.of(dataTimeout))
        .put("resolveTimeout", Seconds.of(resolveTimeout))
        .put("starttls", starttls)
        .put("verifyCertificates", verifyCertificates)
        .put("requireTlsDomains", new JsonArray(requireTlsDomains))
        .put("trustedCertificates", new JsonArray(trustedCertificates))
        .put("maxConnections", maxConnections)
        .put("maxConnectionsPerHost", maxConnectionsPerHost)
        .put("maxConnectionsPerDomain", maxConnectionsPerDomain)
        .put("maxMessagesPerConnection", maxMessagesPerConnection)
        .put("connectionIdleTimeout", Seconds.of(connectionIdleTimeout))
        .put("maxConnectAttempts", maxConnectAttempts)
        .put("auth", authJson)
        .put("authRequiresTls", authRequiresTls)
        .put("tlsPolicy", tlsPolicy.toJson());
    limits.writeTo(json);
    return json;
  }

  private static int positive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
    return value;
  }

  public int getInstances() {
    return instances;
  }

  /** How many {@link DeliveryVerticle} instances Postino deploys (each on its own event loop). */
  public OutboundOptions setInstances(int instances) {
    this.instances = positive("instances", instances);
    return this;
  }

  public String getHeloName() {
    return heloName;
  }

  /** The name given in EHLO/HELO; null means the server's host name. */
  public OutboundOptions setHeloName(String heloName) {
    if (heloName != null && (heloName.isBlank() || heloName.chars().anyMatch(c -> c <= ' ' || c >= 0x7f))) {
      throw new IllegalArgumentException("invalid heloName: " + heloName);
    }
    this.heloName = heloName;
    return this;
  }

  public Duration getConnectTimeout() {
    return connectTimeout;
  }

  /** The longest wait for a TCP connection, and for a TLS handshake. */
  public OutboundOptions setConnectTimeout(Duration connectTimeout) {
    this.connectTimeout = Seconds.positive("connectTimeout", connectTimeout);
    return this;
  }

  public Duration getCommandTimeout() {
    return commandTimeout;
  }

  /** The longest wait for the greeting or the reply to any command but the end of data. */
  public OutboundOptions setCommandTimeout(Duration commandTimeout) {
    this.commandTimeout = Seconds.positive("commandTimeout", commandTimeout);
    return this;
  }

  public Duration getDataTimeout() {
    return dataTimeout;
  }

  /**
   * The longest wait for the reply after the end of data, and the longest the content may stall
   * while the server does not read it.
   */
  public OutboundOptions setDataTimeout(Duration dataTimeout) {
    this.dataTimeout = Seconds.positive("dataTimeout", dataTimeout);
    return this;
  }

  public Duration getResolveTimeout() {
    return resolveTimeout;
  }

  /** The send timeout of requests to {@code postino.mx.resolve}. */
  public OutboundOptions setResolveTimeout(Duration resolveTimeout) {
    this.resolveTimeout = Seconds.positive("resolveTimeout", resolveTimeout);
    return this;
  }

  public boolean isStarttls() {
    return starttls;
  }

  /** Whether STARTTLS is used when a server offers it (always, for domains that require TLS). */
  public OutboundOptions setStarttls(boolean starttls) {
    this.starttls = starttls;
    return this;
  }

  public boolean isVerifyCertificates() {
    return verifyCertificates;
  }

  /**
   * Whether every TLS session checks the server's certificate chain and that it names the MX
   * host; a failed check fails that host (the next one is tried). Sessions for
   * {@link #getRequireTlsDomains()} are always verified.
   */
  public OutboundOptions setVerifyCertificates(boolean verifyCertificates) {
    this.verifyCertificates = verifyCertificates;
    return this;
  }

  public List<String> getRequireTlsDomains() {
    return requireTlsDomains;
  }

  /**
   * Recipient domains whose mail only ever leaves over verified TLS: a host that offers no
   * STARTTLS, or whose certificate does not verify, is skipped, and the mail waits (transient).
   */
  public OutboundOptions setRequireTlsDomains(List<String> domains) {
    this.requireTlsDomains = domains.stream().map(d -> d.toLowerCase(Locale.ROOT)).toList();
    return this;
  }

  /** True when mail for {@code domain} needs verified TLS. */
  public boolean requiresTls(String domain) {
    return requireTlsDomains.contains(domain.toLowerCase(Locale.ROOT));
  }

  /** Which policies that destinations publish (DANE, MTA-STS) outbound mail follows. */
  public TlsPolicyOptions getTlsPolicy() {
    return tlsPolicy;
  }

  public OutboundOptions setTlsPolicy(TlsPolicyOptions tlsPolicy) {
    this.tlsPolicy = tlsPolicy == null ? new TlsPolicyOptions() : tlsPolicy;
    return this;
  }

  /** What the TLS policy of MX hosts follows of these options. */
  public TlsSettings tlsSettings() {
    return new TlsSettings(starttls, verifyCertificates, java.util.Set.copyOf(requireTlsDomains), tlsPolicy.getDane(),
        tlsPolicy.getDomains(), tlsPolicy.isMtaSts());
  }

  public List<String> getTrustedCertificates() {
    return trustedCertificates;
  }

  /**
   * PEM files of the certificate authorities that verification trusts; empty means the JVM's
   * default trust store.
   */
  public OutboundOptions setTrustedCertificates(List<String> files) {
    this.trustedCertificates = List.copyOf(files);
    return this;
  }

  public int getMaxConnections() {
    return maxConnections;
  }

  /** Connections open at once (busy or idle) to all hosts. */
  public OutboundOptions setMaxConnections(int maxConnections) {
    this.maxConnections = positive("maxConnections", maxConnections);
    return this;
  }

  public int getMaxConnectionsPerHost() {
    return maxConnectionsPerHost;
  }

  /** Connections open at once (busy or idle) to one host address and port, by the whole cluster. */
  public OutboundOptions setMaxConnectionsPerHost(int maxConnectionsPerHost) {
    this.maxConnectionsPerHost = positive("maxConnectionsPerHost", maxConnectionsPerHost);
    return this;
  }

  public int getMaxConnectionsPerDomain() {
    return maxConnectionsPerDomain;
  }

  /**
   * Deliveries in progress at once to one recipient domain (each uses one connection), unless
   * {@code destinationLimits} says otherwise for the domain.
   */
  public OutboundOptions setMaxConnectionsPerDomain(int maxConnectionsPerDomain) {
    this.maxConnectionsPerDomain = positive("maxConnectionsPerDomain", maxConnectionsPerDomain);
    return this;
  }

  public int getMaxMessagesPerConnection() {
    return maxMessagesPerConnection;
  }

  /** Messages sent over one connection before it is closed; 1 disables reuse. */
  public OutboundOptions setMaxMessagesPerConnection(int maxMessagesPerConnection) {
    this.maxMessagesPerConnection = positive("maxMessagesPerConnection", maxMessagesPerConnection);
    return this;
  }

  public Duration getConnectionIdleTimeout() {
    return connectionIdleTimeout;
  }

  /** How long a finished connection is kept for the next message to the same host. */
  public OutboundOptions setConnectionIdleTimeout(Duration connectionIdleTimeout) {
    this.connectionIdleTimeout = Seconds.positive("connectionIdleTimeout", connectionIdleTimeout);
    return this;
  }

  public int getMaxConnectAttempts() {
    return maxConnectAttempts;
  }

  /** Host addresses tried for one job, in MX order, before the job fails for now. */
  public OutboundOptions setMaxConnectAttempts(int maxConnectAttempts) {
    this.maxConnectAttempts = positive("maxConnectAttempts", maxConnectAttempts);
    return this;
  }

  public Map<String, Credentials> getAuth() {
    return auth;
  }

  /**
   * AUTH credentials by host name as the route names it (a smarthost from {@code dns.routes}):
   * a session to that host authenticates with PLAIN, or LOGIN when PLAIN is not offered.
   */
  public OutboundOptions setAuth(Map<String, Credentials> auth) {
    Map<String, Credentials> lower = new LinkedHashMap<>();
    auth.forEach((host, c) -> lower.put(host.toLowerCase(Locale.ROOT), Objects.requireNonNull(c, host)));
    this.auth = Map.copyOf(lower);
    return this;
  }

  /** The credentials for a host, or null. */
  public Credentials credentials(String host) {
    return auth.get(host.toLowerCase(Locale.ROOT));
  }

  public boolean isAuthRequiresTls() {
    return authRequiresTls;
  }

  /** Whether a host with credentials must offer STARTTLS (else it is skipped, never sent a password). */
  public OutboundOptions setAuthRequiresTls(boolean authRequiresTls) {
    this.authRequiresTls = authRequiresTls;
    return this;
  }

  public DestinationLimits getLimits() {
    return limits;
  }

  /** Rate limits, the throttle period and per-domain limits. */
  public OutboundOptions setLimits(DestinationLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
    return this;
  }
}
