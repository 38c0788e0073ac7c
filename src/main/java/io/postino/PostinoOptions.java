package io.postino;

import io.postino.admin.AdminOptions;
import io.postino.alias.AliasOptions;
import io.postino.bus.Addresses;
import io.postino.bus.TransportTable;
import io.postino.config.JsonReader;
import io.postino.config.Seconds;
import io.postino.delivery.OutboundOptions;
import io.postino.dkim.DkimOptions;
import io.postino.dmarc.DmarcOptions;
import io.postino.dns.MxResolverOptions;
import io.postino.local.MaildirOptions;
import io.postino.metrics.MetricsOptions;
import io.postino.queue.QueueOptions;
import io.postino.server.Cidr;
import io.postino.server.ListenerOptions;
import io.postino.server.PolicyOptions;
import io.postino.server.RecipientPolicy;
import io.postino.server.ServerOptions;
import io.postino.server.auth.AuthOptions;
import io.postino.server.tls.TlsOptions;
import io.postino.spf.SpfOptions;
import io.postino.spool.SpoolSpace;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a Postino node is configured with: built with the typed setters, or read from one
 * JSON document in the format of {@code conf/postino.json} (every key optional; a missing key takes
 * the default documented in the README). Each section is its own options object ({@code "smtp"}
 * is {@link ServerOptions}, {@code "queue"} {@link QueueOptions}, ...), so
 * {@code options.getSmtp().setPort(0)} and {@code "smtp": {"port": 0}} say the same thing.
 *
 * <p>Reading JSON refuses a key no option reads, naming its path and the nearest known key, and a
 * value of the wrong type: a typo'd limit silently left at its default is worse than a server that
 * does not start. Building options may block (the default DNS servers come from
 * {@code /etc/resolv.conf}, the default host name may need a lookup): not on an event loop.
 * {@link Postino#start} takes a copy, so changing the options later does not change a running node.
 */
public final class PostinoOptions {

  public static final String DEFAULT_SPOOL_DIRECTORY = "data/spool";
  public static final String DEFAULT_EVENT_BUS_PREFIX = Addresses.DEFAULT_PREFIX;
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);

  /** Null: the machine's host name, looked up when first needed. */
  private String hostname;
  private Set<Role> roles = EnumSet.allOf(Role.class);
  private ServerOptions smtp = new ServerOptions();
  private ListenerOptions submission = new ListenerOptions(ListenerOptions.DEFAULT_SUBMISSION_PORT);
  private ListenerOptions smtps = new ListenerOptions(ListenerOptions.DEFAULT_SMTPS_PORT);
  private TlsOptions tls = new TlsOptions();
  private AuthOptions auth = new AuthOptions();
  private List<String> localDomains = RecipientPolicy.DEFAULT_LOCAL_DOMAINS;
  private Map<String, List<String>> localUsers = Map.of();
  private List<String> trustedNetworks = RecipientPolicy.DEFAULT_TRUSTED_NETWORKS;
  private Path spoolDirectory = Path.of(DEFAULT_SPOOL_DIRECTORY);
  private long spoolMinFreeSpace = SpoolSpace.DEFAULT_MIN_FREE_SPACE;
  private MaildirOptions maildir = new MaildirOptions();
  private String eventBusPrefix = DEFAULT_EVENT_BUS_PREFIX;
  private QueueOptions queue = new QueueOptions();
  private OutboundOptions delivery = new OutboundOptions();
  private MxResolverOptions dns = new MxResolverOptions();
  private PolicyOptions policy = new PolicyOptions();
  private ClusterOptions cluster = new ClusterOptions(new JsonObject());
  private AdminOptions admin = new AdminOptions();
  private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
  private MetricsOptions metrics = new MetricsOptions();
  private DkimOptions dkim = new DkimOptions();
  private SpfOptions spf = new SpfOptions();
  private DmarcOptions dmarc = new DmarcOptions();
  private AliasOptions aliases = new AliasOptions();
  private Map<String, String> transport = Map.of();

  /**
   * The defaults: every role; SMTP on port 2525 with STARTTLS (a generated certificate) and AUTH
   * (the users file {@code data/users}); no submission ports.
   */
  public PostinoOptions() {
  }

  /** A deep copy, with the host name settled (looked up when it was left to the system). */
  public PostinoOptions(PostinoOptions other) {
    this.hostname = other.getHostname();
    this.roles = other.roles;
    this.smtp = new ServerOptions(other.smtp);
    this.submission = new ListenerOptions(other.submission);
    this.smtps = new ListenerOptions(other.smtps);
    this.tls = new TlsOptions(other.tls);
    this.auth = new AuthOptions(other.auth);
    this.localDomains = other.localDomains;
    this.localUsers = other.localUsers;
    this.trustedNetworks = other.trustedNetworks;
    this.spoolDirectory = other.spoolDirectory;
    this.spoolMinFreeSpace = other.spoolMinFreeSpace;
    this.maildir = new MaildirOptions(other.maildir);
    this.eventBusPrefix = other.eventBusPrefix;
    this.queue = new QueueOptions(other.queue);
    this.delivery = new OutboundOptions(other.delivery);
    this.dns = new MxResolverOptions(other.dns);
    this.policy = new PolicyOptions(other.policy);
    this.cluster = other.cluster;
    this.admin = new AdminOptions(other.admin);
    this.shutdownGrace = other.shutdownGrace;
    this.metrics = new MetricsOptions(other.metrics);
    this.dkim = new DkimOptions(other.dkim);
    this.spf = new SpfOptions(other.spf);
    this.dmarc = new DmarcOptions(other.dmarc);
    this.aliases = new AliasOptions(other.aliases);
    this.transport = other.transport;
  }

  /**
   * Reads a whole configuration.
   *
   * @throws io.postino.config.ConfigException for an unknown key or a value of the wrong type,
   *     naming its JSON path
   * @throws IllegalArgumentException for a value out of its range
   */
  public PostinoOptions(JsonObject json) {
    this(JsonReader.of(json));
  }

  PostinoOptions(JsonReader root) {
    ConfigurationFile.read(root, this);
  }

  /** The name the server gives itself (greeting, Received, HELO); the machine's name by default. May block. */
  public String getHostname() {
    if (hostname == null) {
      try {
        hostname = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        hostname = "localhost";
      }
    }
    return hostname;
  }

  public PostinoOptions setHostname(String hostname) {
    this.hostname = Objects.requireNonNull(hostname, "hostname");
    return this;
  }

  /** What this node runs, the {@code "roles"} array: all of listener, queue, resolver, delivery by default. */
  public Set<Role> getRoles() {
    return roles;
  }

  public PostinoOptions setRoles(Set<Role> roles) {
    this.roles = Collections.unmodifiableSet(roles.isEmpty() ? EnumSet.noneOf(Role.class) : EnumSet.copyOf(roles));
    return this;
  }

  /** The SMTP listener, the {@code "smtp"} object; change it in place or replace it. */
  public ServerOptions getSmtp() {
    return smtp;
  }

  public PostinoOptions setSmtp(ServerOptions smtp) {
    this.smtp = Objects.requireNonNull(smtp, "smtp");
    return this;
  }

  /** The submission listener (RFC 6409), the {@code "submission"} object; off by default. */
  public ListenerOptions getSubmission() {
    return submission;
  }

  public PostinoOptions setSubmission(ListenerOptions submission) {
    this.submission = Objects.requireNonNull(submission, "submission");
    return this;
  }

  /** The implicit-TLS submission listener (RFC 8314), the {@code "smtps"} object; off by default. */
  public ListenerOptions getSmtps() {
    return smtps;
  }

  public PostinoOptions setSmtps(ListenerOptions smtps) {
    this.smtps = Objects.requireNonNull(smtps, "smtps");
    return this;
  }

  public TlsOptions getTls() {
    return tls;
  }

  public PostinoOptions setTls(TlsOptions tls) {
    this.tls = Objects.requireNonNull(tls, "tls");
    return this;
  }

  public AuthOptions getAuth() {
    return auth;
  }

  public PostinoOptions setAuth(AuthOptions auth) {
    this.auth = Objects.requireNonNull(auth, "auth");
    return this;
  }

  /** Domains delivered to local Maildirs; the first one also takes a bare {@code <postmaster>}. */
  public List<String> getLocalDomains() {
    return localDomains;
  }

  public PostinoOptions setLocalDomains(List<String> localDomains) {
    if (localDomains.isEmpty()) {
      throw new IllegalArgumentException("localDomains: at least one local domain is needed");
    }
    this.localDomains = List.copyOf(localDomains);
    return this;
  }

  /** Per local domain, the users it has; a domain not in the map takes any user. */
  public Map<String, List<String>> getLocalUsers() {
    return localUsers;
  }

  public PostinoOptions setLocalUsers(Map<String, List<String>> localUsers) {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    localUsers.forEach((domain, users) -> copy.put(domain, List.copyOf(users)));
    this.localUsers = Collections.unmodifiableMap(copy);
    return this;
  }

  /** Client networks (CIDR) that may relay without authentication. */
  public List<String> getTrustedNetworks() {
    return trustedNetworks;
  }

  public PostinoOptions setTrustedNetworks(List<String> trustedNetworks) {
    trustedNetworks.forEach(Cidr::parse);
    this.trustedNetworks = List.copyOf(trustedNetworks);
    return this;
  }

  /** The spool, {@code spool.directory}. */
  public Path getSpoolDirectory() {
    return spoolDirectory;
  }

  public PostinoOptions setSpoolDirectory(Path spoolDirectory) {
    this.spoolDirectory = Objects.requireNonNull(spoolDirectory, "spoolDirectory");
    return this;
  }

  /** The {@code "maildir"} object: the root and the modes of what delivery creates. */
  public MaildirOptions getMaildir() {
    return maildir;
  }

  public PostinoOptions setMaildir(MaildirOptions maildir) {
    this.maildir = Objects.requireNonNull(maildir, "maildir");
    return this;
  }

  /** The first part of every event-bus address, {@code eventBus.prefix}: two Postinos in one Vert.x differ here. */
  public String getEventBusPrefix() {
    return eventBusPrefix;
  }

  public PostinoOptions setEventBusPrefix(String eventBusPrefix) {
    this.eventBusPrefix = Objects.requireNonNull(eventBusPrefix, "eventBusPrefix");
    return this;
  }

  /** The {@code "queue"} object: retry schedule, lifetime, bounces, active window. */
  public QueueOptions getQueue() {
    return queue;
  }

  public PostinoOptions setQueue(QueueOptions queue) {
    this.queue = Objects.requireNonNull(queue, "queue");
    return this;
  }

  /** The {@code "delivery"} object: the SMTP client, connection limits, smarthost credentials. */
  public OutboundOptions getDelivery() {
    return delivery;
  }

  public PostinoOptions setDelivery(OutboundOptions delivery) {
    this.delivery = Objects.requireNonNull(delivery, "delivery");
    return this;
  }

  /** The {@code "dns"} object as given; see {@link #resolverOptions()} for what the resolver runs with. */
  public MxResolverOptions getDns() {
    return dns;
  }

  public PostinoOptions setDns(MxResolverOptions dns) {
    this.dns = Objects.requireNonNull(dns, "dns");
    return this;
  }

  /** The {@code "policy"} object: the event-bus policy hooks. */
  public PolicyOptions getPolicy() {
    return policy;
  }

  public PostinoOptions setPolicy(PolicyOptions policy) {
    this.policy = Objects.requireNonNull(policy, "policy");
    return this;
  }

  /** The {@code "cluster"} object, read by the command line's {@code -cluster}; an embedder builds its own clustered Vert.x. */
  public ClusterOptions getCluster() {
    return cluster;
  }

  public PostinoOptions setCluster(ClusterOptions cluster) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    return this;
  }

  /** Free octets the spool's file system keeps ({@code spool.minFreeSpace}): below it, MAIL gets 452 4.3.1. */
  public long getSpoolMinFreeSpace() {
    return spoolMinFreeSpace;
  }

  public PostinoOptions setSpoolMinFreeSpace(long octets) {
    if (octets < 0) {
      throw new IllegalArgumentException("spool.minFreeSpace must not be negative: " + octets);
    }
    this.spoolMinFreeSpace = octets;
    return this;
  }

  /** The figures' options, the {@code "metrics"} object. */
  public MetricsOptions getMetrics() {
    return metrics;
  }

  public PostinoOptions setMetrics(MetricsOptions metrics) {
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    return this;
  }

  /** DKIM signing, the {@code "dkim"} object: no domains, nothing signed, by default. */
  public DkimOptions getDkim() {
    return dkim;
  }

  public PostinoOptions setDkim(DkimOptions dkim) {
    this.dkim = Objects.requireNonNull(dkim, "dkim");
    return this;
  }

  /** SPF at MAIL FROM, the {@code "spf"} object (change it in place): off by default. */
  public SpfOptions getSpf() {
    return spf;
  }

  /** DMARC at the end of the content, the {@code "dmarc"} object (change it in place): off by default. */
  public DmarcOptions getDmarc() {
    return dmarc;
  }

  /** Aliases, subaddresses, the postmaster and SRS: the top-level {@code aliases}, {@code aliasesFile}, ..., {@code srs}. */
  public AliasOptions getAliases() {
    return aliases;
  }

  public PostinoOptions setAliases(AliasOptions aliases) {
    this.aliases = Objects.requireNonNull(aliases, "aliases");
    return this;
  }

  /** The {@code "transport"} table: address, domain, .domain or * to lmtp:..., discard or error:...; empty by default. */
  public Map<String, String> getTransport() {
    return transport;
  }

  public PostinoOptions setTransport(Map<String, String> transport) {
    this.transport = TransportTable.of(transport).isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(transport));
    return this;
  }

  /** The operator's HTTP port, the {@code "admin"} object: off by default, on in the shipped configuration. */
  public AdminOptions getAdmin() {
    return admin;
  }

  public PostinoOptions setAdmin(AdminOptions admin) {
    this.admin = Objects.requireNonNull(admin, "admin");
    return this;
  }

  /** How long a stop lets messages being received and deliveries finish, {@code shutdownGrace}: 30 s by default. */
  public Duration getShutdownGrace() {
    return shutdownGrace;
  }

  public PostinoOptions setShutdownGrace(Duration shutdownGrace) {
    this.shutdownGrace = Seconds.notNegative("shutdownGrace", shutdownGrace);
    return this;
  }

  /**
   * The MX resolver options of {@link #getDns()} with this server's own host name and SMTP listen
   * address added for loop detection, so that mail for a domain whose MX is this server is never
   * sent back to it; and, unless outbound DANE is off for every domain, routes that say what DNSSEC
   * validated.
   */
  public MxResolverOptions resolverOptions() {
    return dns.withOwn(getHostname(), smtp.getHost(), smtp.getPort()).setDnssec(delivery.tlsSettings().usesDane());
  }

  /** Where a generated certificate lives unless {@code tls.directory} says otherwise: {@code tls} next to the spool. */
  Path tlsDirectory() {
    Path parent = spoolDirectory.toAbsolutePath().getParent();
    return parent == null ? Path.of("tls") : parent.resolve("tls");
  }

  RecipientPolicy recipientPolicy() {
    return new RecipientPolicy(localDomains, localUsers, trustedNetworks.stream().map(Cidr::parse).toList());
  }

  Addresses addresses() {
    return new Addresses(eventBusPrefix);
  }
}
