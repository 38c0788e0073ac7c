package io.postino;

import io.postino.delivery.DeliveryVerticle;
import io.postino.delivery.OutboundOptions;
import io.postino.dns.MxResolverVerticle;
import io.postino.local.LocalDelivery;
import io.postino.local.MaildirDelivery;
import io.postino.queue.QueueManager;
import io.postino.queue.Spool;
import io.postino.server.ConnectionLimiter;
import io.postino.server.ServerContext;
import io.postino.server.ServerOptions;
import io.postino.server.SmtpServerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Postino running in a {@link Vertx}: the spool, local delivery, the MX resolver, outbound
 * delivery, the queue manager and the SMTP listener (one verticle instance per event loop). Use it standalone through {@link Main} or
 * embedded in an application's own Vert.x.
 */
public final class Postino {

  private static final Logger log = LoggerFactory.getLogger(Postino.class);

  private final Vertx vertx;
  private final PostinoConfig config;
  private final Spool spool;
  private final QueueManager queue;
  private final List<String> deployments;
  private final int smtpPort;

  private Postino(Vertx vertx, PostinoConfig config, Spool spool, QueueManager queue, List<String> deployments,
      int smtpPort) {
    this.vertx = vertx;
    this.config = config;
    this.spool = spool;
    this.queue = queue;
    this.deployments = deployments;
    this.smtpPort = smtpPort;
  }

  /**
   * Deploys Postino into the caller's Vert.x (standalone or clustered) with a configuration in
   * the format of {@code conf/postino.json}. Nothing is static or global: several Postinos (with
   * their own ports, spools and event-bus prefixes) can run in one JVM.
   */
  public static Future<Postino> deploy(Vertx vertx, JsonObject config) {
    return start(vertx, new PostinoConfig(config));
  }

  /** Opens the spool, resumes what it holds, and starts listening. */
  public static Future<Postino> start(Vertx vertx, PostinoConfig config) {
    ServerOptions smtp = config.smtp();
    int instances = smtp.getInstances() > 0 ? smtp.getInstances() : VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
    return Spool.open(vertx, config.spoolDirectory()).compose(spool -> {
      MaildirDelivery maildir = new MaildirDelivery(vertx, config.maildirRoot());
      LocalDelivery local = new LocalDelivery(vertx, maildir, config.policy().defaultDomain(), config.addresses());
      // ---- outbound delivery and the queue: delivery verticles, then the queue manager
      OutboundOptions outbound = config.outboundOptions();
      QueueManager queue = new QueueManager(spool, local, config.addresses(), config.queueOptions(),
          config.hostname(), config.policy()::isLocalDomain);
      Supplier<Future<List<String>>> deliveryAndQueue = () -> vertx.deployVerticle(
              () -> new DeliveryVerticle(config.addresses(), outbound, config.hostname(), spool.directory()),
              new DeploymentOptions().setInstances(outbound.getInstances()))
          .compose(deliveryId -> vertx.deployVerticle(queue).map(queueId -> List.of(queueId, deliveryId)));
      // ----
      ServerContext ctx = new ServerContext(smtp, config.hostname(), config.policy(),
          new ConnectionLimiter(smtp.getMaxConnections(), smtp.getMaxConnectionsPerClient()), spool, queue::accept);
      // Vert.x shares a port between instances only when they ask for the same one; a negative
      // port is its way of asking for "a random port, the same for all of us".
      int netPort = smtp.getPort() == 0 ? -1 : smtp.getPort();
      List<SmtpServerVerticle> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
      Future<String> resolver = vertx.deployVerticle(new MxResolverVerticle(config.addresses(), config.mxResolverOptions()));
      return resolver.compose(resolverId -> deliveryAndQueue.get().compose(queueIds -> vertx.deployVerticle(() -> {
            SmtpServerVerticle v = new SmtpServerVerticle(ctx, netPort);
            listeners.add(v);
            return v;
          }, new DeploymentOptions().setInstances(instances))
          .map(id -> {
            int port = listeners.get(0).actualPort();
            log.info("Postino {} listening for SMTP on {}:{} ({} instances), local domains {}, spool {}",
                config.hostname(), smtp.getHost(), port, instances, config.json().getValue("localDomains", "[localhost]"),
                spool.directory().toAbsolutePath());
            List<String> ids = new ArrayList<>(List.of(id));
            ids.addAll(queueIds);
            ids.add(resolverId);
            return new Postino(vertx, config, spool, queue, ids, port);
          })));
    });
  }

  /** The port the SMTP listener actually bound. */
  public int smtpPort() {
    return smtpPort;
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
    // one after the other, the listener first, so no message is accepted while the queue goes
    Future<Void> chain = Future.succeededFuture();
    for (String id : deployments) {
      chain = chain.compose(v -> vertx.undeploy(id));
    }
    return chain;
  }
}
