package io.postino;

import io.postino.bus.Addresses;
import io.postino.delivery.OutboundOptions;
import io.postino.dns.MxResolverOptions;
import io.postino.local.MaildirOptions;
import io.postino.queue.QueueOptions;
import io.postino.server.ListenerOptions;
import io.postino.server.RecipientPolicy;
import io.postino.server.ServerOptions;
import io.postino.server.auth.AuthOptions;
import io.postino.server.tls.TlsOptions;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * The whole configuration, read from one JSON document ({@code conf/postino.json}). Every key is
 * optional; a missing key takes the default documented in the README.
 */
public final class PostinoConfig {

  public static final String DEFAULT_SPOOL_DIRECTORY = "data/spool";
  public static final String DEFAULT_MAILDIR_ROOT = MaildirOptions.DEFAULT_ROOT;

  private final JsonObject json;
  private final String hostname;
  private final ServerOptions smtp;
  private final RecipientPolicy policy;
  private final Path spoolDirectory;
  private final Path maildirRoot;
  private final MaildirOptions maildir;
  private final Addresses addresses;
  private final QueueOptions queue;
  private final OutboundOptions outbound;
  private final TlsOptions tls;
  private final AuthOptions auth;
  private final ListenerOptions submission;
  private final ListenerOptions smtps;
  private final Set<Role> roles;
  private final MxResolverOptions mx;

  /**
   * Reads and checks a configuration. Blocking (the default host name may need a lookup, the
   * default DNS servers come from /etc/resolv.conf): build it off the event loop.
   */
  public PostinoConfig(JsonObject json) {
    this.json = json.copy();
    this.hostname = json.getString("hostname", systemHostname());
    this.smtp = new ServerOptions(json.getJsonObject("smtp", new JsonObject()));
    this.policy = RecipientPolicy.fromJson(json);
    this.spoolDirectory = Path.of(json.getJsonObject("spool", new JsonObject())
        .getString("directory", DEFAULT_SPOOL_DIRECTORY));
    this.maildir = new MaildirOptions(json.getJsonObject("maildir", new JsonObject()));
    this.maildirRoot = Path.of(maildir.getRoot());
    this.addresses = new Addresses(json.getJsonObject("eventBus", new JsonObject())
        .getString("prefix", Addresses.DEFAULT_PREFIX));
    this.queue = new QueueOptions(json.getJsonObject("queue", new JsonObject()));
    this.outbound = new OutboundOptions(json.getJsonObject("delivery", new JsonObject()));
    this.tls = new TlsOptions(json.getJsonObject("tls", new JsonObject()));
    this.auth = new AuthOptions(json.getJsonObject("auth", new JsonObject()));
    this.submission = new ListenerOptions(json.getJsonObject("submission", new JsonObject()),
        ListenerOptions.DEFAULT_SUBMISSION_PORT);
    this.smtps = new ListenerOptions(json.getJsonObject("smtps", new JsonObject()), ListenerOptions.DEFAULT_SMTPS_PORT);
    this.roles = Collections.unmodifiableSet(Role.fromJson(json.getJsonArray("roles")));
    this.mx = buildMxResolverOptions();
  }

  private static String systemHostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  /** The JSON this configuration was read from. */
  public JsonObject json() {
    return json.copy();
  }

  public String hostname() {
    return hostname;
  }

  public ServerOptions smtp() {
    return new ServerOptions(smtp);
  }

  public RecipientPolicy policy() {
    return policy;
  }

  public Path spoolDirectory() {
    return spoolDirectory;
  }

  public Path maildirRoot() {
    return maildirRoot;
  }

  /** The {@code "maildir"} object: the root and the modes of what delivery creates. */
  public MaildirOptions maildirOptions() {
    return new MaildirOptions(maildir);
  }

  public Addresses addresses() {
    return addresses;
  }

  /** The {@code "queue"} object: retry schedule, lifetime, bounces, active window. */
  public QueueOptions queueOptions() {
    return new QueueOptions(queue);
  }

  /** The {@code "delivery"} object: the SMTP client, connection limits, smarthost credentials. */
  public OutboundOptions outboundOptions() {
    return new OutboundOptions(outbound);
  }

  public TlsOptions tls() {
    return new TlsOptions(tls);
  }

  /**
   * Where a generated self-signed certificate lives unless {@code tls.directory} says otherwise: a
   * {@code tls} directory next to the spool ({@code data/tls} with the default spool).
   */
  public Path tlsDirectory() {
    Path parent = spoolDirectory.toAbsolutePath().getParent();
    return parent == null ? Path.of("tls") : parent.resolve("tls");
  }

  public AuthOptions auth() {
    return new AuthOptions(auth);
  }

  /** What this node runs, the {@code "roles"} array: all of listener, queue, resolver, delivery by default. */
  public Set<Role> roles() {
    return roles;
  }

  /** The submission listener (RFC 6409), the {@code "submission"} object. */
  public ListenerOptions submission() {
    return new ListenerOptions(submission);
  }

  /** The implicit-TLS submission listener (RFC 8314), the {@code "smtps"} object. */
  public ListenerOptions smtps() {
    return new ListenerOptions(smtps);
  }

  /**
   * The MX resolver options from the {@code "dns"} object, with this server's own host name and
   * SMTP listen address added for loop detection, so that mail for a domain whose MX is this
   * server is never sent back to it.
   */
  public MxResolverOptions mxResolverOptions() {
    return new MxResolverOptions(mx);
  }

  private MxResolverOptions buildMxResolverOptions() {
    MxResolverOptions options = new MxResolverOptions(json.getJsonObject("dns", new JsonObject()));
    List<String> names = new ArrayList<>(options.getOwnHostnames());
    if (!names.contains(hostname)) {
      names.add(hostname);
    }
    options.setOwnHostnames(names);
    if (smtp.getPort() > 0) {
      List<String> addresses = new ArrayList<>(options.getOwnAddresses());
      String host = smtp.getHost().indexOf(':') >= 0 ? "[" + smtp.getHost() + "]" : smtp.getHost();
      addresses.add(host + ":" + smtp.getPort());
      options.setOwnAddresses(addresses);
    }
    return options;
  }
}
