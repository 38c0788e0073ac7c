package io.postino.server;

import io.postino.config.JsonReader;
import io.postino.config.Seconds;
import io.postino.dnsbl.DnsblOptions;
import io.postino.smtp.DataDecoder.BareLineEndings;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Options of the SMTP listener: where it listens and the limits it enforces on every session.
 * Maps onto the {@code "smtp"} object of {@code conf/postino.json}; durations there are seconds
 * (fractions allowed).
 */
public final class ServerOptions {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 2525;
  /** 0: one instance per event loop. */
  public static final int DEFAULT_INSTANCES = 0;
  /** RFC 5321 section 4.5.3.1.4: 512 octets including the CRLF. */
  public static final int DEFAULT_MAX_LINE_LENGTH = 512;
  public static final long DEFAULT_MAX_MESSAGE_SIZE = 50L * 1024 * 1024;
  /** RFC 5321 section 4.5.3.1.8: at least 100. */
  public static final int DEFAULT_MAX_RECIPIENTS = 100;
  public static final int DEFAULT_MAX_ERRORS = 20;
  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
  public static final int DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 50;
  /** Five messages of the default maximum size at once, from one anonymous address. */
  public static final long DEFAULT_MAX_SPOOL_BYTES_PER_CLIENT = 5 * DEFAULT_MAX_MESSAGE_SIZE;
  public static final Duration DEFAULT_GREETING_DELAY = Duration.ZERO;
  /** RFC 5321 section 4.5.3.2.7: at least 5 minutes awaiting the next command. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
  public static final Duration DEFAULT_COMMAND_DEADLINE = Duration.ofMinutes(5);
  public static final Duration DEFAULT_DATA_DEADLINE = Duration.ofMinutes(30);
  /** Postfix's smtpd_min_data_rate: 500 bytes/s is 4 kbit/s, below any working link. */
  public static final int DEFAULT_MIN_DATA_RATE = 500;
  /** Content time free of the rate check: a dripping client is cut about this long into DATA. */
  public static final Duration DEFAULT_MIN_DATA_RATE_GRACE = Duration.ofMinutes(1);
  public static final BareLineEndings DEFAULT_BARE_LINE_ENDINGS = BareLineEndings.REJECT;
  /** 0: text lines of any length are accepted (RFC 5321 section 4.5.3.1 asks for no limit). */
  public static final int DEFAULT_MAX_CONTENT_LINE_LENGTH = 0;

  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  private int instances = DEFAULT_INSTANCES;
  private int maxLineLength = DEFAULT_MAX_LINE_LENGTH;
  private long maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
  private int maxRecipients = DEFAULT_MAX_RECIPIENTS;
  private int maxErrors = DEFAULT_MAX_ERRORS;
  private int maxConnections = DEFAULT_MAX_CONNECTIONS;
  /** Set explicitly, not left at the default: then it is not lowered to fit the descriptor limit. */
  private boolean maxConnectionsSet;
  private int maxConnectionsPerClient = DEFAULT_MAX_CONNECTIONS_PER_CLIENT;
  private long maxSpoolBytesPerClient = DEFAULT_MAX_SPOOL_BYTES_PER_CLIENT;
  private Duration greetingDelay = DEFAULT_GREETING_DELAY;
  private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
  private Duration commandDeadline = DEFAULT_COMMAND_DEADLINE;
  private Duration dataDeadline = DEFAULT_DATA_DEADLINE;
  private int minDataRate = DEFAULT_MIN_DATA_RATE;
  private Duration minDataRateGrace = DEFAULT_MIN_DATA_RATE_GRACE;
  private BareLineEndings bareLineEndings = DEFAULT_BARE_LINE_ENDINGS;
  private int maxContentLineLength = DEFAULT_MAX_CONTENT_LINE_LENGTH;
  private DnsblOptions dnsbl = new DnsblOptions();
  private ProxyProtocolOptions proxyProtocol;

  public ServerOptions() {
  }

  public ServerOptions(ServerOptions other) {
    this(other.toJson());
  }

  /** Reads an {@code "smtp"} object on its own: unknown keys and wrong types are refused. */
  public ServerOptions(JsonObject json) {
    JsonReader reader = JsonReader.of(json, "smtp");
    read(reader);
    reader.reportUnknown();
  }

  /** Reads the {@code "smtp"} object of a whole configuration, whose reader reports unknown keys. */
  public ServerOptions(JsonReader json) {
    read(json);
  }

  private void read(JsonReader json) {
    setHost(json.string("host", DEFAULT_HOST));
    setPort(json.integer("port", DEFAULT_PORT));
    setInstances(json.integer("instances", DEFAULT_INSTANCES));
    setMaxLineLength(json.integer("maxLineLength", DEFAULT_MAX_LINE_LENGTH));
    setMaxMessageSize(json.longInteger("maxMessageSize", DEFAULT_MAX_MESSAGE_SIZE));
    setMaxRecipients(json.integer("maxRecipients", DEFAULT_MAX_RECIPIENTS));
    setMaxErrors(json.integer("maxErrors", DEFAULT_MAX_ERRORS));
    if (json.has("maxConnections")) {
      setMaxConnections(json.integer("maxConnections", DEFAULT_MAX_CONNECTIONS));
    }
    setMaxConnectionsPerClient(json.integer("maxConnectionsPerClient", DEFAULT_MAX_CONNECTIONS_PER_CLIENT));
    setMaxSpoolBytesPerClient(json.longInteger("maxSpoolBytesPerClient", DEFAULT_MAX_SPOOL_BYTES_PER_CLIENT));
    setGreetingDelay(json.seconds("greetingDelay", DEFAULT_GREETING_DELAY));
    setIdleTimeout(json.seconds("idleTimeout", DEFAULT_IDLE_TIMEOUT));
    setCommandDeadline(json.seconds("commandDeadline", DEFAULT_COMMAND_DEADLINE));
    setDataDeadline(json.seconds("dataDeadline", DEFAULT_DATA_DEADLINE));
    setMinDataRate(json.integer("minDataRate", DEFAULT_MIN_DATA_RATE));
    setMinDataRateGrace(json.seconds("minDataRateGrace", DEFAULT_MIN_DATA_RATE_GRACE));
    setBareLineEndings(json.oneOf("bareLineEndings", BareLineEndings.class, DEFAULT_BARE_LINE_ENDINGS));
    setMaxContentLineLength(json.integer("maxContentLineLength", DEFAULT_MAX_CONTENT_LINE_LENGTH));
    setDnsbl(json.section("dnsbl", DnsblOptions::new));
    setProxyProtocol(ProxyProtocolOptions.read(json));
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("host", host)
        .put("port", port)
        .put("instances", instances)
        .put("maxLineLength", maxLineLength)
        .put("maxMessageSize", maxMessageSize)
        .put("maxRecipients", maxRecipients)
        .put("maxErrors", maxErrors)
        .put("maxConnectionsPerClient", maxConnectionsPerClient)
        .put("maxSpoolBytesPerClient", maxSpoolBytesPerClient)
        .put("greetingDelay", Seconds.of(greetingDelay))
        .put("idleTimeout", Seconds.of(idleTimeout))
        .put("commandDeadline", Seconds.of(commandDeadline))
        .put("dataDeadline", Seconds.of(dataDeadline))
        .put("minDataRate", minDataRate)
        .put("minDataRateGrace", Seconds.of(minDataRateGrace))
        .put("bareLineEndings", bareLineEndings.name().toLowerCase(Locale.ROOT))
        .put("maxContentLineLength", maxContentLineLength)
        .put("dnsbl", dnsbl.toJson());
    if (proxyProtocol != null) {
      json.put("proxyProtocol", proxyProtocol.toJson());
    }
    // only when set: a default stays a default through copies
    return maxConnectionsSet ? json.put("maxConnections", maxConnections) : json;
  }

  private static int positive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
    return value;
  }

  private static Duration positive(String name, Duration value) {
    return Seconds.positive(name, value);
  }

  public String getHost() {
    return host;
  }

  public ServerOptions setHost(String host) {
    this.host = java.util.Objects.requireNonNull(host, "host");
    return this;
  }

  public int getPort() {
    return port;
  }

  /** 0 picks a free port (tests); read the real one from {@code Postino.smtpPort()}. */
  public ServerOptions setPort(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    this.port = port;
    return this;
  }

  public int getInstances() {
    return instances;
  }

  public ServerOptions setInstances(int instances) {
    if (instances < 0) {
      throw new IllegalArgumentException("instances must be >= 0: " + instances);
    }
    this.instances = instances;
    return this;
  }

  public int getMaxLineLength() {
    return maxLineLength;
  }

  /** Longest command line in octets, CRLF included; RFC 5321 requires at least 512. */
  public ServerOptions setMaxLineLength(int maxLineLength) {
    if (maxLineLength < 512) {
      throw new IllegalArgumentException("maxLineLength must be at least 512: " + maxLineLength);
    }
    this.maxLineLength = maxLineLength;
    return this;
  }

  public long getMaxMessageSize() {
    return maxMessageSize;
  }

  public ServerOptions setMaxMessageSize(long maxMessageSize) {
    if (maxMessageSize <= 0) {
      throw new IllegalArgumentException("maxMessageSize must be positive: " + maxMessageSize);
    }
    this.maxMessageSize = maxMessageSize;
    return this;
  }

  /**
   * Twice {@link #getMaxMessageSize()} (without overflow): content a client sends past this, in
   * DATA or in a BDAT series, is not read on just to be discarded; it gets 552 and the connection
   * is closed.
   */
  public long getDiscardLimit() {
    return maxMessageSize > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : 2 * maxMessageSize;
  }

  public int getMaxRecipients() {
    return maxRecipients;
  }

  public ServerOptions setMaxRecipients(int maxRecipients) {
    this.maxRecipients = positive("maxRecipients", maxRecipients);
    return this;
  }

  public int getMaxErrors() {
    return maxErrors;
  }

  public ServerOptions setMaxErrors(int maxErrors) {
    this.maxErrors = positive("maxErrors", maxErrors);
    return this;
  }

  public int getMaxConnections() {
    return maxConnections;
  }

  /**
   * Open sessions in total. Left at its default, it is lowered at start to what the file
   * descriptor limit holds; set, a start that cannot hold it fails (see {@link DescriptorBudget}).
   */
  public ServerOptions setMaxConnections(int maxConnections) {
    this.maxConnections = positive("maxConnections", maxConnections);
    this.maxConnectionsSet = true;
    return this;
  }

  /** True when {@link #setMaxConnections} was called (or the key given), not left at the default. */
  public boolean isMaxConnectionsSet() {
    return maxConnectionsSet;
  }

  public int getMaxConnectionsPerClient() {
    return maxConnectionsPerClient;
  }

  public ServerOptions setMaxConnectionsPerClient(int maxConnectionsPerClient) {
    this.maxConnectionsPerClient = positive("maxConnectionsPerClient", maxConnectionsPerClient);
    return this;
  }

  public long getMaxSpoolBytesPerClient() {
    return maxSpoolBytesPerClient;
  }

  /**
   * Spool space the unfinished messages of one client address may hold together, when the client
   * is neither authenticated nor in a trusted network; past it, {@code 452 4.3.1}. 0: no limit.
   */
  public ServerOptions setMaxSpoolBytesPerClient(long maxSpoolBytesPerClient) {
    if (maxSpoolBytesPerClient < 0) {
      throw new IllegalArgumentException("maxSpoolBytesPerClient must be >= 0: " + maxSpoolBytesPerClient);
    }
    this.maxSpoolBytesPerClient = maxSpoolBytesPerClient;
    return this;
  }

  public Duration getGreetingDelay() {
    return greetingDelay;
  }

  /**
   * How long to wait before the greeting; a client that talks in that time is refused (an early
   * talker, usually a spam bot). Zero sends the greeting at once and disables the check.
   */
  public ServerOptions setGreetingDelay(Duration greetingDelay) {
    if (greetingDelay.isNegative()) {
      throw new IllegalArgumentException("greetingDelay must not be negative");
    }
    this.greetingDelay = greetingDelay;
    return this;
  }

  public Duration getIdleTimeout() {
    return idleTimeout;
  }

  /** Longest silence from the client (RFC 5321 section 4.5.3.2); then 421 and close. */
  public ServerOptions setIdleTimeout(Duration idleTimeout) {
    this.idleTimeout = positive("idleTimeout", idleTimeout);
    return this;
  }

  public Duration getCommandDeadline() {
    return commandDeadline;
  }

  /** Longest time one command line may take to arrive, however it trickles in. */
  public ServerOptions setCommandDeadline(Duration commandDeadline) {
    this.commandDeadline = positive("commandDeadline", commandDeadline);
    return this;
  }

  public Duration getDataDeadline() {
    return dataDeadline;
  }

  /** Longest time one message's DATA (or BDAT chunk series) may take to arrive. */
  public ServerOptions setDataDeadline(Duration dataDeadline) {
    this.dataDeadline = positive("dataDeadline", dataDeadline);
    return this;
  }

  public int getMinDataRate() {
    return minDataRate;
  }

  /**
   * Lowest average rate, in bytes per second, at which message content must arrive once the grace
   * period is over: content may take {@code minDataRateGrace + bytes / minDataRate} so far. 0 turns
   * the check off.
   */
  public ServerOptions setMinDataRate(int minDataRate) {
    if (minDataRate < 0) {
      throw new IllegalArgumentException("minDataRate must be >= 0: " + minDataRate);
    }
    this.minDataRate = minDataRate;
    return this;
  }

  public Duration getMinDataRateGrace() {
    return minDataRateGrace;
  }

  /** How long message content may take before {@link #setMinDataRate} applies. */
  public ServerOptions setMinDataRateGrace(Duration minDataRateGrace) {
    this.minDataRateGrace = positive("minDataRateGrace", minDataRateGrace);
    return this;
  }

  public BareLineEndings getBareLineEndings() {
    return bareLineEndings;
  }

  /** REJECT refuses content with a bare CR or LF (SMTP smuggling); NORMALIZE turns them into CRLF. */
  public ServerOptions setBareLineEndings(BareLineEndings bareLineEndings) {
    this.bareLineEndings = java.util.Objects.requireNonNull(bareLineEndings);
    return this;
  }

  public int getMaxContentLineLength() {
    return maxContentLineLength;
  }

  /** 0 for no limit (the default); otherwise refuse content with longer text lines. */
  public ServerOptions setMaxContentLineLength(int maxContentLineLength) {
    if (maxContentLineLength < 0) {
      throw new IllegalArgumentException("maxContentLineLength must be >= 0");
    }
    this.maxContentLineLength = maxContentLineLength;
    return this;
  }

  /** The DNS block and allow lists asked about each client (postscreen's DNSBL test); none by default. */
  public DnsblOptions getDnsbl() {
    return dnsbl;
  }

  public ServerOptions setDnsbl(DnsblOptions dnsbl) {
    this.dnsbl = Objects.requireNonNull(dnsbl, "dnsbl");
    return this;
  }

  /** The SMTP listener's PROXY protocol; null (the default) when it reads no header. */
  public ProxyProtocolOptions getProxyProtocol() {
    return proxyProtocol;
  }

  /** Only the SMTP listener's: submission and implicit TLS have their own in {@link ListenerOptions}. */
  public ServerOptions setProxyProtocol(ProxyProtocolOptions proxyProtocol) {
    this.proxyProtocol = proxyProtocol;
    return this;
  }
}
