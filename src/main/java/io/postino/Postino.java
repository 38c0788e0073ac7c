package io.postino;

import io.postino.admin.AdminRoutes;
import io.postino.admin.AdminServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.postino.admin.QueueApi;
import io.postino.admin.StatusApi;
import io.postino.dkim.DkimIntake;
import io.postino.dns.MxResolverVerticle;
import io.postino.queue.QueueManager;
import io.postino.spool.Spool;
import io.postino.server.RecipientPolicy;
import io.postino.server.auth.Authenticator;
import io.postino.server.tls.TlsSupport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
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

  Postino(Vertx vertx, PostinoOptions config, Spool spool, QueueManager queue,
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
    return vertx.executeBlocking(() -> new PostinoOptions(options)).compose(copy -> NodeStart.start(vertx, copy, replayAfter));
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

  /** The admin port, when enabled: started last, once there is something to administer. */
  Future<Postino> startAdmin() {
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
