package io.postino;

import io.postino.metrics.PostinoMetrics;
import io.postino.queue.QueueManager;
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
import io.postino.spool.Spool;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's SMTP listeners, deployed for {@link Postino}: SMTP always, submission and implicit TLS
 * when configured, each one verticle instance per event loop sharing its port, all sharing one
 * {@link ServerContext} (one connection count, one intake).
 */
final class Listeners {

  private static final Logger log = LoggerFactory.getLogger(Postino.class);

  /** A deployed listener: its deployment and the port it bound. */
  private record Listening(String deploymentId, int port) {
  }

  private Listeners() {
  }

  /** The listeners: SMTP always, submission and implicit TLS when enabled; their ports go to {@code ports}. */
  static Future<Void> listenAll(Vertx vertx, PostinoOptions config, RecipientPolicy policy, Spool spool,
      QueueManager queue, TlsSupport tls, Authenticator auth, PostinoMetrics metrics, List<String> ids, int[] ports) {
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
        new ClientSpoolBudget(smtp.getMaxSpoolBytesPerClient()), metrics);
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
}
