package io.postino;

import io.postino.delivery.DeliveryVerticle;
import io.postino.delivery.OutboundOptions;
import io.postino.dns.MxResolverVerticle;
import io.postino.local.LocalDelivery;
import io.postino.local.MaildirDelivery;
import io.postino.queue.QueueManager;
import io.postino.queue.Spool;
import io.postino.server.ApplicationPolicy;
import io.postino.server.ConnectionLimiter;
import io.postino.server.ListenerOptions;
import io.postino.server.ListenerPolicy;
import io.postino.server.ServerContext;
import io.postino.server.ServerOptions;
import io.postino.server.SmtpServerVerticle;
import io.postino.server.auth.Authenticator;
import io.postino.server.tls.TlsSupport;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Postino running in a {@link Vertx}: the spool, local delivery, the MX resolver, outbound
 * delivery and the queue manager, TLS and AUTH, and the listeners: SMTP always, submission
 * (587-style) and implicit TLS (465-style) when configured, each one verticle instance per event
 * loop. Use it standalone through {@link Main} or embedded in an application's own Vert.x.
 */
public final class Postino {

  private static final Logger log = LoggerFactory.getLogger(Postino.class);

  /** A deployed listener: its deployment and the port it bound. */
  private record Listening(String deploymentId, int port) {
  }

  private final Vertx vertx;
  private final PostinoConfig config;
  private final Spool spool;
  private final QueueManager queue;
  private final List<String> deployments;
  private final int smtpPort;
  private final int submissionPort;
  private final int smtpsPort;
  private final TlsSupport tls;
  private final Authenticator auth;

  private Postino(Vertx vertx, PostinoConfig config, Spool spool, QueueManager queue, List<String> deployments,
      int[] ports, TlsSupport tls, Authenticator auth) {
    this.vertx = vertx;
    this.config = config;
    this.spool = spool;
    this.queue = queue;
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
    return start(vertx, new PostinoConfig(config));
  }

  /** Opens the spool, resumes what it holds, loads TLS and the users, and starts listening. */
  public static Future<Postino> start(Vertx vertx, PostinoConfig config) {
    String misconfigured = checkListeners(config);
    if (misconfigured != null) {
      return Future.failedFuture(new IllegalArgumentException(misconfigured));
    }
    // independent and each slow on a cold JVM (recovery scan, TLS set-up): side by side on workers
    Future<Spool> spool = Spool.open(vertx, config.spoolDirectory());
    Future<TlsSupport> tls = config.tls().isEnabled()
        ? TlsSupport.start(vertx, config.tls(), config.tlsDirectory(), config.hostname())
        : Future.succeededFuture();
    Future<Authenticator> auth = config.auth().isEnabled()
        ? Authenticator.start(vertx, config.auth(), config.policy()::isLocalDomain)
        : Future.succeededFuture();
    return Future.all(spool, tls, auth)
        .compose(all -> deploy(vertx, config, spool.result(), tls.result(), auth.result()))
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

  /** Listeners that need what is turned off; null when the combination is fine. */
  private static String checkListeners(PostinoConfig config) {
    if (config.smtps().isEnabled() && !config.tls().isEnabled()) {
      return "smtps (implicit TLS) is enabled but tls is not";
    }
    if ((config.submission().isEnabled() || config.smtps().isEnabled()) && !config.auth().isEnabled()) {
      return "submission and smtps need AUTH, but auth is not enabled";
    }
    return null;
  }

  private static Future<Postino> deploy(Vertx vertx, PostinoConfig config, Spool spool, TlsSupport tls,
      Authenticator auth) {
    ServerOptions smtp = config.smtp();
    int instances = smtp.getInstances() > 0 ? smtp.getInstances() : VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
    MaildirDelivery maildir = new MaildirDelivery(vertx, config.maildirRoot());
    LocalDelivery local = new LocalDelivery(vertx, maildir, config.policy().defaultDomain(), config.addresses());
    List<String> ids = new CopyOnWriteArrayList<>();
    // ---- outbound delivery and the queue manager (deployed after the resolver, before the listeners)
    OutboundOptions outbound = config.outboundOptions();
    QueueManager queue = new QueueManager(spool, local, config.addresses(), config.queueOptions(),
        config.hostname(), config.policy()::isLocalDomain);
    Supplier<Future<Void>> deliveryAndQueue = () -> vertx.deployVerticle(
            () -> new DeliveryVerticle(config.addresses(), outbound, config.hostname(), spool.directory()),
            new DeploymentOptions().setInstances(outbound.getInstances()))
        .compose(deliveryId -> {
          // undeployed in reverse order: the queue before the verticles that carry out its jobs
          ids.add(deliveryId);
          return vertx.deployVerticle(queue);
        })
        .map(queueId -> {
          ids.add(queueId);
          return null;
        });
    // ----
    ServerContext ctx = new ServerContext(smtp, config.hostname(), config.policy(),
        new ConnectionLimiter(smtp.getMaxConnections(), smtp.getMaxConnectionsPerClient()), spool, queue::accept,
        ListenerPolicy.SMTP, tls, auth,
        new ApplicationPolicy(vertx, config.addresses(), config.json().getJsonObject("policy", new JsonObject())));
    int[] ports = {-1, -1, -1};
    // Vert.x shares a port between instances only when they ask for the same one; a negative
    // port is its way of asking for "a random port, the same for all of us", one per listener
    // (see SmtpServerVerticle.sharedRandomPort)
    Future<Void> all = vertx.deployVerticle(new MxResolverVerticle(config.addresses(), config.mxResolverOptions()))
        .compose(id -> {
          ids.add(id);
          return deliveryAndQueue.get();
        })
        .compose(v -> listen(vertx, ctx, smtp.getPort() == 0 ? SmtpServerVerticle.sharedRandomPort() : smtp.getPort(),
            instances))
        .compose(l -> {
          ids.add(l.deploymentId());
          ports[0] = l.port();
          return listenIfEnabled(vertx, ctx.forListener(ListenerPolicy.SUBMISSION), config.submission(), instances);
        })
        .compose(l -> {
          if (l != null) {
            ids.add(l.deploymentId());
            ports[1] = l.port();
          }
          return listenIfEnabled(vertx, ctx.forListener(ListenerPolicy.SMTPS), config.smtps(), instances);
        })
        .map(l -> {
          if (l != null) {
            ids.add(l.deploymentId());
            ports[2] = l.port();
          }
          return null;
        });
    return all
        .recover(e -> {
          // a listener that cannot bind: take down what did start before reporting it
          List<Future<Void>> undeployed = new ArrayList<>();
          ids.forEach(id -> undeployed.add(vertx.undeploy(id)));
          return Future.join(undeployed).transform(x -> Future.<Void>failedFuture(e));
        })
        .map(v -> {
          log.info("Postino {} listening for SMTP on {}:{} ({} instances), local domains {}, spool {}",
              config.hostname(), smtp.getHost(), ports[0], instances,
              config.json().getValue("localDomains", "[localhost]"), spool.directory().toAbsolutePath());
          if (ports[1] > 0) {
            log.info("Postino {} listening for submission on {}:{}", config.hostname(), smtp.getHost(), ports[1]);
          }
          if (ports[2] > 0) {
            log.info("Postino {} listening for submission over TLS on {}:{}", config.hostname(), smtp.getHost(), ports[2]);
          }
          return new Postino(vertx, config, spool, queue, List.copyOf(ids), ports, tls, auth);
        });
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

  /** The port the SMTP listener actually bound. */
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

  /** TLS (the certificate, its reload), or null when TLS is off. */
  public TlsSupport tls() {
    return tls;
  }

  /** AUTH (the users, their reload), or null when AUTH is off. */
  public Authenticator auth() {
    return auth;
  }

  public PostinoConfig config() {
    return config;
  }

  public Spool spool() {
    return spool;
  }

  /** The queue manager: hold, release, requeue, delete, flush. */
  public QueueManager queue() {
    return queue;
  }

  /**
   * Undeploys what {@link #start} deployed; messages already accepted stay in the spool for the
   * next start. The Vert.x instance stays open: it belongs to the caller.
   */
  public Future<Void> close() {
    if (tls != null) {
      tls.close();
    }
    if (auth != null) {
      auth.close();
    }
    // one after the other, last deployed first: the listeners, then the queue, then delivery
    Future<Void> chain = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.compose(v -> vertx.undeploy(id));
    }
    return chain;
  }
}
