package io.postino;

import io.postino.alias.Aliases;
import io.postino.config.StartupException;
import io.postino.dns.MxResolverOptions;
import io.postino.dnsbl.Reputation;
import io.postino.intake.Intake;
import io.postino.metrics.PostinoMetrics;
import io.postino.server.ApplicationPolicy;
import io.postino.server.ClientSpoolBudget;
import io.postino.server.ConnectionLimiter;
import io.postino.server.DescriptorBudget;
import io.postino.server.ListenerOptions;
import io.postino.server.ListenerPolicy;
import io.postino.server.OpenSessions;
import io.postino.server.ProxyProtocolOptions;
import io.postino.server.RecipientPolicy;
import io.postino.server.ServerContext;
import io.postino.server.ServerOptions;
import io.postino.server.auth.Authenticator;
import io.postino.server.session.SmtpServerVerticle;
import io.postino.server.tls.TlsSupport;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SMTP listeners of a node: SMTP always, submission and implicit TLS when enabled, each one
 * verticle instance per event loop; the open sessions of all of them; and the context new sessions
 * start with, which a reload replaces (a session keeps the context it started with).
 */
final class Listeners {

  private static final Logger log = LoggerFactory.getLogger(Postino.class);

  /** The SMTP listener's context; the other listeners derive theirs from it when a session starts. */
  private final Vertx vertx;
  private final AtomicReference<ServerContext> current;
  private final int[] ports;
  /** The aliases every recipient policy of the listeners expands through. */
  private final Aliases aliases;

  private Listeners(Vertx vertx, AtomicReference<ServerContext> current, int[] ports, Aliases aliases) {
    this.vertx = vertx;
    this.current = current;
    this.ports = ports;
    this.aliases = aliases;
  }

  /**
   * Deploys the listeners. A listener that cannot bind fails the whole start with a
   * {@link StartupException} naming it ({@code submission listener 0.0.0.0:587: address already in use});
   * those already deployed are in {@code ids}, for the caller to take down.
   */
  static Future<Listeners> start(Vertx vertx, PostinoOptions config, RecipientPolicy policy, Aliases aliases,
      Intake intake, TlsSupport tls, Authenticator auth, PostinoMetrics metrics, List<String> ids) {
    ServerOptions smtp = config.getSmtp();
    int instances = smtp.getInstances() > 0 ? smtp.getInstances() : VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
    int maxConnections;
    try {
      maxConnections = DescriptorBudget.maxConnections(smtp, DescriptorBudget.descriptorLimit(),
          config.getRoles().contains(Role.DELIVERY)
              ? config.getDelivery().getMaxConnections() * config.getDelivery().getInstances() : 0);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    AtomicReference<ServerContext> current = new AtomicReference<>(new ServerContext(smtp, config.getHostname(),
        policy.withAliases(aliases), new ConnectionLimiter(maxConnections, smtp.getMaxConnectionsPerClient()), intake,
        ListenerPolicy.SMTP, tls, auth, applicationPolicy(vertx, config),
        new ClientSpoolBudget(smtp.getMaxSpoolBytesPerClient()), new OpenSessions(), metrics,
        Reputation.create(vertx, smtp.getDnsbl(), config.resolverOptions())));
    int[] ports = {-1, -1, -1};
    Listeners listeners = new Listeners(vertx, current, ports, aliases);
    String host = smtp.getHost();
    return listen(vertx, "smtp", host, listeners.contextFor(ListenerPolicy.SMTP), smtp.getPort(),
        smtp.getProxyProtocol(), instances, ids)
        .compose(port -> {
          ports[0] = port;
          return listenIfEnabled(vertx, "submission", host, listeners.contextFor(ListenerPolicy.SUBMISSION),
              config.getSubmission(), instances, ids);
        })
        .compose(port -> {
          ports[1] = port;
          return listenIfEnabled(vertx, "smtps", host, listeners.contextFor(ListenerPolicy.SMTPS),
              config.getSmtps(), instances, ids);
        })
        .map(port -> {
          ports[2] = port;
          log.info("Postino {} listening for SMTP on {}:{} ({} instances), local domains {}, spool {}",
              config.getHostname(), host, ports[0], instances, config.getLocalDomains(),
              config.getSpoolDirectory().toAbsolutePath());
          if (ports[1] > 0) {
            log.info("Postino {} listening for submission on {}:{}", config.getHostname(), host, ports[1]);
          }
          if (ports[2] > 0) {
            log.info("Postino {} listening for submission over TLS on {}:{}", config.getHostname(), host, ports[2]);
          }
          return listeners;
        });
  }

  /** The event-bus policy hooks, or null when the configuration turns them off. */
  static ApplicationPolicy applicationPolicy(Vertx vertx, PostinoOptions config) {
    ApplicationPolicy hooks = new ApplicationPolicy(vertx, config.addresses(), config.getPolicy());
    return hooks.isEnabled() ? hooks : null;
  }

  /**
   * The context of each new session of a listener: derived once per configuration (a reload
   * replaces it), not per connection, so that sessions share it.
   */
  private Supplier<ServerContext> contextFor(ListenerPolicy listener) {
    AtomicReference<ServerContext[]> derived = new AtomicReference<>(new ServerContext[2]);
    return () -> {
      ServerContext base = current.get();
      ServerContext[] pair = derived.get();
      if (pair[0] != base) {
        pair = new ServerContext[] {base, base.forListener(listener)};
        derived.set(pair);
      }
      return pair[1];
    };
  }

  private static Future<Integer> listenIfEnabled(Vertx vertx, String name, String host,
      Supplier<ServerContext> ctx, ListenerOptions options, int instances, List<String> ids) {
    if (!options.isEnabled()) {
      return Future.succeededFuture(-1);
    }
    return listen(vertx, name, host, ctx, options.getPort(), options.getProxyProtocol(), instances, ids);
  }

  private static Future<Integer> listen(Vertx vertx, String name, String host, Supplier<ServerContext> ctx,
      int configuredPort, ProxyProtocolOptions proxy, int instances, List<String> ids) {
    // Vert.x shares a port between instances only when they ask for the same one; a negative
    // port is its way of asking for "a random port, the same for all of us", one per listener
    // (see SmtpServerVerticle.sharedRandomPort)
    int port = configuredPort == 0 ? SmtpServerVerticle.sharedRandomPort() : configuredPort;
    List<SmtpServerVerticle> verticles = new CopyOnWriteArrayList<>();
    return vertx.deployVerticle(() -> {
      SmtpServerVerticle v = new SmtpServerVerticle(ctx, port, proxy);
      verticles.add(v);
      return v;
    }, new DeploymentOptions().setInstances(instances))
        .recover(e -> Future.failedFuture(StartupException.listener(name + " listener", host, configuredPort, e)))
        .map(id -> {
          ids.add(id);
          return verticles.get(0).actualPort();
        });
  }

  /** The ports bound: SMTP, submission, implicit TLS; -1 for a listener that is not enabled. */
  int port(int which) {
    return ports[which];
  }

  /** The sessions open on every listener, and the stop that closes them. */
  OpenSessions sessions() {
    return current.get().sessions();
  }

  /**
   * New sessions start with these limits, this recipient policy, these hooks and DNS lists (asked
   * through {@code dns}); the sessions in progress keep theirs. What the listener sockets were bound
   * with (host, port, instances) and the shared counters stay.
   */
  void reconfigure(ServerOptions smtp, RecipientPolicy policy, ApplicationPolicy hooks, MxResolverOptions dns) {
    current.updateAndGet(old -> {
      old.limiter().setMaxPerClient(smtp.getMaxConnectionsPerClient());
      return new ServerContext(smtp, old.hostname(), policy.withAliases(aliases), old.limiter(), old.intake(), old.listener(),
          old.tls(), old.auth(), hooks, old.spoolBudget(), old.sessions(), old.metrics(),
          old.reputation().reconfigured(vertx, smtp.getDnsbl(), dns));
    });
  }
}
