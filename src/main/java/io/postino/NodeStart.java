package io.postino;

import io.postino.alias.Aliases;
import io.postino.admin.MemberAnnouncer;
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
 * The start of a node, after its options are copied: the checks of its roles, what is opened side
 * by side on workers (the spool and its recovery, TLS, the users, the DKIM keys), then the
 * verticles of its roles one after the other, and the {@link Postino} handle that stops them.
 * Whatever started is closed again when a later step fails.
 */
final class NodeStart {

  /** Postino's own: the start is the node's ("Postino ... started"), whichever class says it. */
  private static final Logger log = LoggerFactory.getLogger(Postino.class);

  private NodeStart() {
  }

  static Future<Postino> start(Vertx vertx, PostinoOptions config, Future<?> replayAfter) {
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
   * Deploys the verticles of the node's roles one after the other: the resolver, delivery, the
   * queue manager and postino.send, the listeners. {@link Postino#close} undeploys them in reverse
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
      OutboundTls tlsPolicies = OutboundTls.create(vertx, config);
      for (io.vertx.core.Deployable service : tlsPolicies.verticles()) {
        all = all.compose(v -> deployed(ids, vertx.deployVerticle(service)));
      }
      all = all.compose(v -> deployed(ids, vertx.deployVerticle(
          () -> new DeliveryVerticle(config.addresses(), outbound, config.getHostname(), config.getSpoolDirectory(),
              dkim.resigner(), tlsPolicies.policies(), tlsPolicies.reporter()),
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

}
