package io.postino;

import io.postino.admin.AdminRoutes;
import io.postino.admin.AdminServer;
import io.postino.alias.Aliases;
import io.micrometer.core.instrument.MeterRegistry;
import io.postino.admin.MemberAnnouncer;
import io.postino.admin.QueueApi;
import io.postino.admin.StatusApi;
import io.postino.bus.TransportTable;
import io.postino.delivery.DeliveryVerticle;
import io.postino.delivery.OutboundOptions;
import io.postino.dkim.DkimIntake;
import io.postino.dns.MxResolverVerticle;
import io.postino.local.LocalDelivery;
import io.postino.local.MaildirDelivery;
import io.postino.queue.QueueAdminService;
import io.postino.queue.QueueManager;
import io.postino.intake.SendVerticle;
import io.postino.spool.Spool;
import io.postino.server.RecipientPolicy;
import io.postino.server.ServerOptions;
import io.postino.server.auth.Authenticator;
import io.postino.server.tls.TlsSupport;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Postino running in a {@link Vertx}: the spool, local delivery, the queue manager and
 * {@code postino.send}; the MX resolver; outbound delivery; TLS and AUTH, and the listeners: SMTP
 * always, submission (587-style) and implicit TLS (465-style) when configured, each one verticle
 * instance per event loop. A node runs the {@link Role}s its configuration names, all by default.
 * Use it standalone through the command line ({@code io.postino.cli.Main}) or embedded in an
 * application's own Vert.x: this handle, {@link PostinoOptions} and {@link QueueOperations} are
 * the supported API of this package.
 */
public final class Postino {

  private static final Logger log = LoggerFactory.getLogger(Postino.class);

  private final Vertx vertx;
  /** What the node runs with now: a reload replaces it. */
  private volatile PostinoOptions config;
  private final Spool spool;
  private final QueueManager queueManager;
  private final QueueOperations queue;
  /** The local domains, users and trusted networks: a reload replaces them for the queue, AUTH and new sessions. */
  private final AtomicReference<RecipientPolicy> policy;
  private final List<String> deployments;
  /** Null without the listener role. */
  private final Listeners listeners;
  private final TlsSupport tls;
  private final Authenticator auth;
  private final Reloader reloader;
  /** The last reload, after which the next one runs: two reloads never interleave. */
  private Future<?> reloading = Future.succeededFuture();
  private Future<Void> closing;
  private final Monitoring monitoring;
  private final DkimIntake dkim;
  /** Null when the admin port is off; set once, right after start. */
  private AdminServer admin;

  private Postino(Vertx vertx, PostinoOptions config, Spool spool, QueueManager queue,
      AtomicReference<RecipientPolicy> policy, List<String> deployments, Listeners listeners, TlsSupport tls,
      Authenticator auth, MxResolverVerticle resolver, Monitoring monitoring,
      DkimIntake dkim) {
    this.vertx = vertx;
    this.config = config;
    this.spool = spool;
    this.queueManager = queue;
    this.queue = queue == null ? null : new QueueHandle(queue, spool);
    this.policy = policy;
    this.deployments = deployments;
    this.listeners = listeners;
    this.tls = tls;
    this.auth = auth;
    this.reloader = new Reloader(vertx, policy, listeners, resolver, tls, auth);
    this.monitoring = monitoring;
    this.dkim = dkim;
  }

  /**
   * Deploys Postino into the caller's Vert.x (standalone or clustered) with a configuration in
   * the format of {@code conf/postino.json}. Nothing is static or global: several Postinos (with
   * their own ports, spools and event-bus prefixes) can run in one JVM.
   */
  public static Future<Postino> deploy(Vertx vertx, JsonObject config) {
    // reading the configuration may block (host name, /etc/resolv.conf): not on the caller's event loop
    return vertx.executeBlocking(() -> new PostinoOptions(config)).compose(c -> start(vertx, c));
  }

  /**
   * Starts the roles of {@code options} ({@link Role}; all of them by default): opens the spool and
   * resumes what it holds, loads TLS and the users, and starts listening. The node runs with a copy
   * of the options: changing them afterwards changes nothing.
   */
  public static Future<Postino> start(Vertx vertx, PostinoOptions options) {
    return start(vertx, options, Future.succeededFuture());
  }

  /** {@link #start}, the replay of what a previous run left in the spool held until {@code replayAfter} (tests). */
  static Future<Postino> start(Vertx vertx, PostinoOptions options, Future<?> replayAfter) {
    // the copy settles the host name, which may need a lookup: not on the caller's event loop
    return vertx.executeBlocking(() -> new PostinoOptions(options)).compose(copy -> startCopy(vertx, copy, replayAfter));
  }

  private static Future<Postino> startCopy(Vertx vertx, PostinoOptions config, Future<?> replayAfter) {
    String misconfigured = EnvironmentCheck.roles(config);
    if (misconfigured != null) {
      return Future.failedFuture(new IllegalArgumentException(misconfigured));
    }
    boolean listener = config.getRoles().contains(Role.LISTENER);
    AtomicReference<RecipientPolicy> policy = new AtomicReference<>(config.recipientPolicy());
    // the queue and AUTH ask the policy of the moment, so that a reload reaches them too
    Predicate<String> isLocalDomain = domain -> policy.get().isLocalDomain(domain);
    // only the queue role opens the spool: opening cleans its tmp directory, so a delivery node
    // may share the directory of the node that writes there, as it must to read the content. The
    // node listens at once: what a previous run left is recovered meanwhile, then delivered
    Monitoring monitoring = new Monitoring(vertx, config);
    Future<Spool> spool = config.getRoles().contains(Role.QUEUE)
        ? Spool.openWhileRecovering(vertx, config.getSpoolDirectory(), monitoring.metrics().spool(),
            config.getSpoolMinFreeSpace(), replayAfter)
            .recover(e -> Future.failedFuture(StartFailures.spool(config.getSpoolDirectory(), e)))
        : Future.succeededFuture();
    // independent and each slow on a cold JVM (recovery scan, TLS set-up): side by side on workers
    Future<TlsSupport> tls = listener && config.getTls().isEnabled()
        ? TlsSupport.start(vertx, config.getTls(), config.tlsDirectory(), config.getHostname())
            .recover(e -> Future.failedFuture(
                e instanceof IllegalArgumentException ? e : StartFailures.tls(config.getTls(), e)))
        : Future.succeededFuture();
    Future<Authenticator> auth = listener && config.getAuth().isEnabled()
        ? Authenticator.start(vertx, config.getAuth(), isLocalDomain)
            .recover(e -> Future.failedFuture(StartFailures.auth(config.getAuth(), e)))
        : Future.succeededFuture();
    Future<DkimIntake> dkim = DkimIntake.start(vertx, config.getDkim(), address -> policy.get().isTrusted(address),
        config.getHostname(), config.resolverOptions());
    return Future.all(spool, tls, auth, dkim)
        .compose(all -> deploy(vertx, config, policy, isLocalDomain, spool.result(), tls.result(), auth.result(),
            monitoring, dkim.result()))
        .onFailure(e -> {
          monitoring.close();
          dkim.onSuccess(DkimIntake::close);
          spool.onSuccess(s -> {
            if (s != null) {
              s.close();
            }
          });
          tls.onSuccess(t -> {
            if (t != null) {
              t.close();
            }
          });
          auth.onSuccess(a -> {
            if (a != null) {
              a.close();
            }
          });
        });
  }

  /**
   * What would stop {@code options} from starting on this machine, without starting anything (the
   * {@code check-config} command): roles that do not go together, directories that cannot be
   * written, a TLS certificate or key that does not load, an AUTH users file that does not read,
   * ports already in use. Each problem is one line naming the option or listener; the list is
   * empty when there is none.
   */
  public static Future<List<String>> check(Vertx vertx, PostinoOptions options) {
    return vertx.executeBlocking(() -> new PostinoOptions(options)).compose(copy -> EnvironmentCheck.run(vertx, copy));
  }

  /**
   * Deploys the verticles of the node's roles one after the other: the resolver, delivery, the
   * queue manager and postino.send, the listeners. {@link #close} undeploys them in reverse
   * order, so the listeners stop first, and the queue before the verticles carrying out its jobs.
   *
   * @param spool null without the queue role
   */
  private static Future<Postino> deploy(Vertx vertx, PostinoOptions config, AtomicReference<RecipientPolicy> policy,
      Predicate<String> isLocalDomain, Spool spool, TlsSupport tls, Authenticator auth,
      Monitoring monitoring, DkimIntake dkim) {
    Set<Role> roles = config.getRoles();
    List<String> ids = new CopyOnWriteArrayList<>();
    String nodeId = UUID.randomUUID().toString();
    QueueManager queue = spool == null ? null : new QueueManager(spool,
        new LocalDelivery(vertx, new MaildirDelivery(vertx, config.getMaildir(), config.getHostname(),
            config.getAliases().getRecipientDelimiter()), policy.get().defaultDomain(),
            config.addresses()),
        config.addresses(), config.getQueue(), TransportTable.of(config.getTransport()), config.getHostname(),
        isLocalDomain,
        monitoring.metrics().deliveries());
    Listeners[] listeners = {null};
    MxResolverVerticle resolver = roles.contains(Role.RESOLVER)
        ? new MxResolverVerticle(config.addresses(), config.resolverOptions(), monitoring.metrics().dns())
        : null;
    Aliases aliases = queue == null ? null : PolicyExpansion.aliases(config);
    if (queue != null) {
      queue.intake().signWith(dkim);
      queue.intake().expandWith(new PolicyExpansion(policy, aliases));
      ReceivingChecks.install(vertx, config, queue.intake(), dkim);
    }
    Future<Void> all = Future.succeededFuture();
    if (roles.contains(Role.RESOLVER)) {
      all = all.compose(v -> deployed(ids, vertx.deployVerticle(resolver)));
    }
    if (roles.contains(Role.DELIVERY)) {
      OutboundOptions outbound = config.getDelivery();
      all = all.compose(v -> deployed(ids, vertx.deployVerticle(
          () -> new DeliveryVerticle(config.addresses(), outbound, config.getHostname(), config.getSpoolDirectory(),
              dkim.resigner()),
          new DeploymentOptions().setInstances(outbound.getInstances()))));
    }
    if (queue != null) {
      ServerOptions smtp = config.getSmtp();
      SendVerticle send = new SendVerticle(queue.intake(), config.addresses(),
          new SendVerticle.Limits(smtp.getMaxMessageSize(), smtp.getMaxRecipients()));
      all = all.compose(v -> deployed(ids, vertx.deployVerticle(aliases)))
          .compose(v -> deployed(ids, vertx.deployVerticle(queue)))
          .compose(v -> deployed(ids, vertx.deployVerticle(new QueueAdminService(queue, config.addresses(), nodeId))))
          .compose(v -> deployed(ids, vertx.deployVerticle(send)));
    }
    if (roles.contains(Role.LISTENER)) {
      all = all.compose(v -> Listeners.start(vertx, config, policy.get(), aliases, queue.intake(), tls, auth,
          monitoring.metrics(), ids))
          .map(l -> {
            listeners[0] = l;
            return null;
          });
    }
    // last: the cluster learns of a node once it serves (the queue's operations among the rest)
    all = all.compose(v -> deployed(ids, vertx.deployVerticle(new MemberAnnouncer(config.addresses(), nodeId,
        NodeStatus.member(nodeId, config,
        i -> listeners[0] == null ? -1 : listeners[0].port(i))))));
    return all
        .recover(e -> {
          // a listener that cannot bind: take down what did start before reporting it
          List<Future<Void>> undeployed = new ArrayList<>();
          ids.forEach(id -> undeployed.add(vertx.undeploy(id)));
          return Future.join(undeployed).transform(x -> Future.<Void>failedFuture(e));
        })
        .map(v -> {
          Listeners l = listeners[0];
          monitoring.started(spool, queue, l != null, l == null ? -1 : l.port(0), l == null ? -1 : l.port(1),
              l == null ? -1 : l.port(2));
          return new Postino(vertx, config, spool, queue, policy, List.copyOf(ids), l, tls, auth, resolver, monitoring,
              dkim);
        })
        .compose(postino -> postino.startAdmin().recover(e -> postino.close().transform(x -> Future.failedFuture(e))))
        .onSuccess(postino -> log.info("Postino {} started: {}", config.getHostname(),
            roles.stream().map(Role::jsonName).collect(Collectors.joining(", "))));
  }

  private static Future<Void> deployed(List<String> ids, Future<String> deployment) {
    return deployment.map(id -> {
      ids.add(id);
      return null;
    });
  }

  /** The admin port, when enabled: started last, once there is something to administer. */
  private Future<Postino> startAdmin() {
    if (!config.getAdmin().isEnabled()) {
      return Future.succeededFuture(this);
    }
    return AdminServer.start(vertx, config.getAdmin(), adminRoutes()).map(server -> {
      admin = server;
      log.info("Postino {} admin port on {}:{}", config.getHostname(), config.getAdmin().getHost(), server.port());
      return this;
    });
  }

  /** What the admin port serves. */
  private List<AdminRoutes> adminRoutes() {
    List<AdminRoutes> routes = new ArrayList<>();
    routes.add(new QueueApi(vertx, config.addresses()));
    routes.add(new StatusApi(vertx, config.addresses(), NodeStatus.of(this)));
    routes.addAll(monitoring.routes());
    return routes;
  }

  /**
   * The node's Micrometer registry (a Prometheus one): what {@code GET /metrics} on the admin port
   * shows, for an application that publishes metrics its own way (add it to a composite registry).
   */
  public MeterRegistry meterRegistry() {
    return monitoring.metrics().registry();
  }

  /** Postino's version, as the build recorded it ({@code 0.1.0-SNAPSHOT}, say). */
  public static String version() {
    return NodeStatus.version();
  }

  /** The port the admin HTTP server bound, or -1 when it is off. */
  public int adminPort() {
    return admin == null ? -1 : admin.port();
  }

  /** The port the SMTP listener actually bound, or -1 without the listener role. */
  public int smtpPort() {
    return listeners == null ? -1 : listeners.port(0);
  }

  /** The port the submission listener bound, or -1 when it is not enabled. */
  public int submissionPort() {
    return listeners == null ? -1 : listeners.port(1);
  }

  /** The port the implicit-TLS listener bound, or -1 when it is not enabled. */
  public int smtpsPort() {
    return listeners == null ? -1 : listeners.port(2);
  }

  /** A copy of the options this node runs with. */
  public PostinoOptions options() {
    return new PostinoOptions(config);
  }

  /** The queue: hold, release, requeue, delete, flush; null without the queue role. */
  public QueueOperations queue() {
    return queue;
  }

  /**
   * Reads the TLS certificate and key files again (the admin call; changed files are also picked
   * up on their own). Succeeds with true when the certificate changed; fails, keeping the current
   * certificate, when the files do not load or TLS is off.
   */
  public Future<Boolean> reloadTls() {
    return tls == null ? Future.failedFuture(new IllegalStateException("TLS is not enabled")) : tls.reload();
  }

  /**
   * Reads the AUTH users file again (it is also reloaded on its own when it changes); succeeds with
   * the number of users, fails when AUTH is off.
   */
  public Future<Integer> reloadUsers() {
    return auth == null ? Future.failedFuture(new IllegalStateException("AUTH is not enabled")) : auth.reload();
  }

  // Implementation, not API: for the tests of the packages behind the handle (PostinoInternals).

  /** TLS (the certificate, its reload), or null when TLS is off. */
  TlsSupport tls() {
    return tls;
  }

  /** AUTH (the users, their reload), or null when AUTH is off. */
  Authenticator auth() {
    return auth;
  }

  /** The spool, or null without the queue role. */
  Spool spool() {
    return spool;
  }

  /** The recipient policy built from the local domains, users and trusted networks. */
  RecipientPolicy recipientPolicy() {
    return policy.get();
  }

  /**
   * Reloads the configuration from a JSON document in the format of {@code conf/postino.json}; see
   * {@link #reload(PostinoOptions)}. Fails, changing nothing, when the document is not a valid
   * configuration (the message names the JSON path).
   */
  public Future<Reloaded> reload(JsonObject json) {
    return vertx.executeBlocking(() -> new PostinoOptions(json)).compose(this::reload);
  }

  /**
   * Applies a new configuration without stopping (as {@code postfix reload}; the command line does
   * it on SIGHUP). New SMTP sessions get the new local domains and users, trusted networks, SMTP
   * limits and policy hooks; sessions in progress keep what they started with and are never
   * dropped. The queue and AUTH see the new local domains; the {@code dns} section (routes
   * included) and {@code shutdownGrace} apply at once; the TLS certificate and the AUTH users file
   * are read again. What else changed (ports, hosts, directories, roles, ...) waits for the next
   * start: the result names it, as does a WARN log line. Reloads run one after the other.
   */
  public synchronized Future<Reloaded> reload(PostinoOptions options) {
    Future<Reloaded> next = reloading.transform(ignored -> vertx.executeBlocking(() -> new PostinoOptions(options)))
        .compose(copy -> reloader.apply(config, copy))
        .map(applied -> {
          config = applied.options();
          return applied.reloaded();
        });
    reloading = next;
    return next;
  }

  /**
   * Stops gracefully, within the {@code shutdownGrace} of the options; see {@link #close(Duration)}.
   */
  public Future<Void> close() {
    return close(config.getShutdownGrace());
  }

  /**
   * Stops gracefully, then undeploys what {@link #start} deployed. New connections get
   * {@code 421 4.3.2} and are closed; idle sessions get it at once; sessions receiving or committing
   * a message may finish it (and get their reply) within {@code grace}, and are then cut with the
   * 421, their unfinished message thrown away. The queue starts no delivery round any more and
   * gives those under way the same grace; a round still unfinished then is abandoned, its message
   * left in the spool (recipients without a recorded result are tried again at the next start:
   * the at-least-once window). Messages accepted stay in the spool for the next start. The Vert.x
   * instance stays open: it belongs to the caller. Calling it again returns the same future.
   */
  public synchronized Future<Void> close(Duration grace) {
    if (closing == null) {
      monitoring.closing();
      closing = GracefulStop.stop(vertx, config.getHostname(), grace,
          listeners == null ? null : listeners.sessions(), queueManager)
          .transform(ar -> undeployAll());
    }
    return closing;
  }

  private Future<Void> undeployAll() {
    Future<Void> chain = admin == null ? Future.succeededFuture() : admin.close().recover(e -> Future.succeededFuture());
    if (tls != null) {
      tls.close();
    }
    if (auth != null) {
      auth.close();
    }
    dkim.close();
    // one after the other, last deployed first: the listeners, then the queue, then delivery
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.compose(v -> vertx.undeploy(id));
    }
    return chain.onComplete(ar -> monitoring.close());
  }
}
