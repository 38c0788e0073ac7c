package io.postino;

import io.postino.admin.AdminRoutes;
import io.postino.admin.AdminServer;
import io.postino.delivery.DeliveryVerticle;
import io.postino.delivery.OutboundOptions;
import io.postino.dns.MxResolverVerticle;
import io.postino.local.LocalDelivery;
import io.postino.local.MaildirDelivery;
import io.postino.queue.QueueManager;
import io.postino.intake.SendVerticle;
import io.postino.spool.Spool;
import io.postino.server.ApplicationPolicy;
import io.postino.server.ClientSpoolBudget;
import io.postino.server.ConnectionLimiter;
import io.postino.server.DescriptorBudget;
import io.postino.server.ListenerOptions;
import io.postino.server.ListenerPolicy;
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
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
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

  /** A deployed listener: its deployment and the port it bound. */
  private record Listening(String deploymentId, int port) {
  }

  private final Vertx vertx;
  private final PostinoOptions config;
  private final Spool spool;
  private final QueueOperations queue;
  private final RecipientPolicy policy;
  private final List<String> deployments;
  private final int smtpPort;
  private final int submissionPort;
  private final int smtpsPort;
  private final TlsSupport tls;
  private final Authenticator auth;
  /** Null when the admin port is off; set once, right after start. */
  private AdminServer admin;

  private Postino(Vertx vertx, PostinoOptions config, Spool spool, QueueManager queue, RecipientPolicy policy,
      List<String> deployments, int[] ports, TlsSupport tls, Authenticator auth) {
    this.vertx = vertx;
    this.config = config;
    this.spool = spool;
    this.queue = queue == null ? null : new QueueHandle(queue, spool);
    this.policy = policy;
    this.deployments = deployments;
    this.smtpPort = ports[0];
    this.submissionPort = ports[1];
    this.smtpsPort = ports[2];
    this.tls = tls;
    this.auth = auth;
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
    String misconfigured = checkConfig(config);
    if (misconfigured != null) {
      return Future.failedFuture(new IllegalArgumentException(misconfigured));
    }
    boolean listener = config.getRoles().contains(Role.LISTENER);
    RecipientPolicy policy = config.recipientPolicy();
    // only the queue role opens the spool: opening cleans its tmp directory, so a delivery node
    // may share the directory of the node that writes there, as it must to read the content. The
    // node listens at once: what a previous run left is recovered meanwhile, then delivered
    Future<Spool> spool = config.getRoles().contains(Role.QUEUE)
        ? Spool.openWhileRecovering(vertx, config.getSpoolDirectory(), replayAfter)
        : Future.succeededFuture();
    // independent and each slow on a cold JVM (recovery scan, TLS set-up): side by side on workers
    Future<TlsSupport> tls = listener && config.getTls().isEnabled()
        ? TlsSupport.start(vertx, config.getTls(), config.tlsDirectory(), config.getHostname())
        : Future.succeededFuture();
    Future<Authenticator> auth = listener && config.getAuth().isEnabled()
        ? Authenticator.start(vertx, config.getAuth(), policy::isLocalDomain)
        : Future.succeededFuture();
    return Future.all(spool, tls, auth)
        .compose(all -> deploy(vertx, config, policy, spool.result(), tls.result(), auth.result()))
        .onFailure(e -> {
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

  /** Roles or listeners that need what is turned off; null when the combination is fine. */
  private static String checkConfig(PostinoOptions config) {
    String roles = Role.check(config.getRoles());
    if (roles != null) {
      return roles;
    }
    if (config.getRoles().contains(Role.QUEUE) && !config.getRoles().contains(Role.DELIVERY)
        && !config.getQueue().isDeliverAcrossCluster()) {
      return "the queue role without the delivery role needs queue.deliverAcrossCluster: "
          + "its jobs would otherwise wait for a delivery verticle on its own node";
    }
    if (!config.getRoles().contains(Role.LISTENER)) {
      return null;
    }
    if (config.getSmtps().isEnabled() && !config.getTls().isEnabled()) {
      return "smtps (implicit TLS) is enabled but tls is not";
    }
    if ((config.getSubmission().isEnabled() || config.getSmtps().isEnabled()) && !config.getAuth().isEnabled()) {
      return "submission and smtps need AUTH, but auth is not enabled";
    }
    return null;
  }

  /**
   * Deploys the verticles of the node's roles one after the other: the resolver, delivery, the
   * queue manager and postino.send, the listeners. {@link #close} undeploys them in reverse
   * order, so the listeners stop first, and the queue before the verticles carrying out its jobs.
   *
   * @param spool null without the queue role
   */
  private static Future<Postino> deploy(Vertx vertx, PostinoOptions config, RecipientPolicy policy, Spool spool,
      TlsSupport tls, Authenticator auth) {
    Set<Role> roles = config.getRoles();
    List<String> ids = new CopyOnWriteArrayList<>();
    QueueManager queue = spool == null ? null : new QueueManager(spool,
        new LocalDelivery(vertx, new MaildirDelivery(vertx, config.getMaildir(), config.getHostname()), policy.defaultDomain(),
            config.addresses()),
        config.addresses(), config.getQueue(), config.getHostname(), policy::isLocalDomain);
    int[] ports = {-1, -1, -1};
    Future<Void> all = Future.succeededFuture();
    if (roles.contains(Role.RESOLVER)) {
      all = all.compose(v -> deployed(ids,
          vertx.deployVerticle(new MxResolverVerticle(config.addresses(), config.resolverOptions()))));
    }
    if (roles.contains(Role.DELIVERY)) {
      OutboundOptions outbound = config.getDelivery();
      all = all.compose(v -> deployed(ids, vertx.deployVerticle(
          () -> new DeliveryVerticle(config.addresses(), outbound, config.getHostname(), config.getSpoolDirectory()),
          new DeploymentOptions().setInstances(outbound.getInstances()))));
    }
    if (queue != null) {
      ServerOptions smtp = config.getSmtp();
      SendVerticle send = new SendVerticle(queue.intake(), config.addresses(),
          new SendVerticle.Limits(smtp.getMaxMessageSize(), smtp.getMaxRecipients()));
      all = all.compose(v -> deployed(ids, vertx.deployVerticle(queue)))
          .compose(v -> deployed(ids, vertx.deployVerticle(send)));
    }
    if (roles.contains(Role.LISTENER)) {
      all = all.compose(v -> listenAll(vertx, config, policy, spool, queue, tls, auth, ids, ports));
    }
    return all
        .recover(e -> {
          // a listener that cannot bind: take down what did start before reporting it
          List<Future<Void>> undeployed = new ArrayList<>();
          ids.forEach(id -> undeployed.add(vertx.undeploy(id)));
          return Future.join(undeployed).transform(x -> Future.<Void>failedFuture(e));
        })
        .map(v -> new Postino(vertx, config, spool, queue, policy, List.copyOf(ids), ports, tls, auth))
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

  /** The listeners: SMTP always, submission and implicit TLS when enabled; their ports go to {@code ports}. */
  private static Future<Void> listenAll(Vertx vertx, PostinoOptions config, RecipientPolicy policy, Spool spool,
      QueueManager queue, TlsSupport tls, Authenticator auth, List<String> ids, int[] ports) {
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
    ServerContext ctx = new ServerContext(smtp, config.getHostname(), policy,
        new ConnectionLimiter(maxConnections, smtp.getMaxConnectionsPerClient()),
        queue.intake(),
        ListenerPolicy.SMTP, tls, auth, applicationPolicy(vertx, config),
        new ClientSpoolBudget(smtp.getMaxSpoolBytesPerClient()));
    // Vert.x shares a port between instances only when they ask for the same one; a negative
    // port is its way of asking for "a random port, the same for all of us", one per listener
    // (see SmtpServerVerticle.sharedRandomPort)
    return listen(vertx, ctx, smtp.getPort() == 0 ? SmtpServerVerticle.sharedRandomPort() : smtp.getPort(), instances)
        .compose(l -> {
          ids.add(l.deploymentId());
          ports[0] = l.port();
          return listenIfEnabled(vertx, ctx.forListener(ListenerPolicy.SUBMISSION), config.getSubmission(), instances);
        })
        .compose(l -> {
          if (l != null) {
            ids.add(l.deploymentId());
            ports[1] = l.port();
          }
          return listenIfEnabled(vertx, ctx.forListener(ListenerPolicy.SMTPS), config.getSmtps(), instances);
        })
        .map(l -> {
          if (l != null) {
            ids.add(l.deploymentId());
            ports[2] = l.port();
          }
          log.info("Postino {} listening for SMTP on {}:{} ({} instances), local domains {}, spool {}",
              config.getHostname(), smtp.getHost(), ports[0], instances,
              config.getLocalDomains(), spool.directory().toAbsolutePath());
          if (ports[1] > 0) {
            log.info("Postino {} listening for submission on {}:{}", config.getHostname(), smtp.getHost(), ports[1]);
          }
          if (ports[2] > 0) {
            log.info("Postino {} listening for submission over TLS on {}:{}", config.getHostname(), smtp.getHost(), ports[2]);
          }
          return null;
        });
  }

  /** The event-bus policy hooks, or null when the configuration turns them off. */
  private static ApplicationPolicy applicationPolicy(Vertx vertx, PostinoOptions config) {
    ApplicationPolicy hooks = new ApplicationPolicy(vertx, config.addresses(), config.getPolicy());
    return hooks.isEnabled() ? hooks : null;
  }

  private static Future<Listening> listenIfEnabled(Vertx vertx, ServerContext ctx, ListenerOptions options,
      int instances) {
    if (!options.isEnabled()) {
      return Future.succeededFuture();
    }
    return listen(vertx, ctx, options.getPort() == 0 ? SmtpServerVerticle.sharedRandomPort() : options.getPort(),
        instances);
  }

  private static Future<Listening> listen(Vertx vertx, ServerContext ctx, int port, int instances) {
    List<SmtpServerVerticle> verticles = new CopyOnWriteArrayList<>();
    return vertx.deployVerticle(() -> {
      SmtpServerVerticle v = new SmtpServerVerticle(ctx, port);
      verticles.add(v);
      return v;
    }, new DeploymentOptions().setInstances(instances))
        .map(id -> new Listening(id, verticles.get(0).actualPort()));
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
    return routes;
  }

  /** The port the admin HTTP server bound, or -1 when it is off. */
  public int adminPort() {
    return admin == null ? -1 : admin.port();
  }

  /** The port the SMTP listener actually bound, or -1 without the listener role. */
  public int smtpPort() {
    return smtpPort;
  }

  /** The port the submission listener bound, or -1 when it is not enabled. */
  public int submissionPort() {
    return submissionPort;
  }

  /** The port the implicit-TLS listener bound, or -1 when it is not enabled. */
  public int smtpsPort() {
    return smtpsPort;
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
    return policy;
  }

  /**
   * Undeploys what {@link #start} deployed; messages already accepted stay in the spool for the
   * next start. The Vert.x instance stays open: it belongs to the caller.
   */
  public Future<Void> close() {
    Future<Void> chain = admin == null ? Future.succeededFuture() : admin.close().recover(e -> Future.succeededFuture());
    if (tls != null) {
      tls.close();
    }
    if (auth != null) {
      auth.close();
    }
    // one after the other, last deployed first: the listeners, then the queue, then delivery
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.compose(v -> vertx.undeploy(id));
    }
    return chain;
  }
}
