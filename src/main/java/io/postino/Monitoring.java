package io.postino;

import io.postino.admin.AdminRoutes;
import io.postino.metrics.PostinoMetrics;
import io.postino.metrics.QueueGauges;
import io.postino.monitor.HealthEndpoints;
import io.postino.monitor.MetricsEndpoint;
import io.postino.monitor.NodeProbe;
import io.postino.monitor.StatusPage;
import io.postino.queue.QueueManager;
import io.postino.spool.Spool;
import io.postino.spool.SpoolFigures;
import io.postino.spool.SpoolSpace;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's figures and health: its {@link PostinoMetrics} (made before anything else starts, so
 * every part counts from the first event), the periodic measure of the spool's free space, and
 * what the admin port shows ({@link NodeProbe}: the queue's census, the readiness checks, the
 * cluster's members).
 */
final class Monitoring implements NodeProbe {

  private static final Logger log = LoggerFactory.getLogger(Monitoring.class);

  /** How often the spool's free space is measured for MAIL's reserve check. */
  static final long SPACE_INTERVAL_MILLIS = 5_000;
  /**
   * A census lists the whole spool: a small one is counted afresh at every scrape; after one that
   * found more than {@link #LARGE_SPOOL} messages the next waits 30 µs per message (30 s for a
   * million, at most a minute), the scrapes meanwhile showing the last count.
   */
  private static final int LARGE_SPOOL = 10_000;
  private static final long CENSUS_NANOS_PER_MESSAGE = 30_000;
  private static final long MAX_CENSUS_SPACING_NANOS = 60_000_000_000L;

  private final Vertx vertx;
  private final PostinoMetrics metrics;
  private final String hostname;
  private final long startedAt = System.currentTimeMillis();
  private Spool spool;
  private QueueManager queue;
  private Map<String, Integer> listeners = Map.of();
  private boolean listenerRole;
  private volatile boolean closing;
  private long spaceTimer = -1;
  // Guarded by this.
  private Future<Void> census = Future.succeededFuture();
  private long censusStarted;
  private long censusSpacing;

  Monitoring(Vertx vertx, PostinoOptions config) {
    this.vertx = vertx;
    this.hostname = config.getHostname();
    this.metrics = PostinoMetrics.prometheus(config.getMetrics());
  }

  PostinoMetrics metrics() {
    return metrics;
  }

  /**
   * The node has started: what it runs, and the ports its listeners bound (-1: not running).
   *
   * @param spool null without the queue role
   */
  void started(Spool spool, QueueManager queue, boolean listenerRole, int smtp, int submission, int smtps) {
    this.spool = spool;
    this.queue = queue;
    this.listenerRole = listenerRole;
    Map<String, Integer> ports = new LinkedHashMap<>();
    ports.put("smtp", smtp);
    if (submission > 0) {
      ports.put("submission", submission);
    }
    if (smtps > 0) {
      ports.put("smtps", smtps);
    }
    this.listeners = listenerRole ? ports : Map.of();
    if (spool != null) {
      spaceTimer = vertx.setPeriodic(SPACE_INTERVAL_MILLIS, id -> spool.figures().measureSpace()
          .onFailure(e -> log.warn("cannot measure the free space of the spool: {}", e.toString())));
    }
  }

  /** What the admin port serves of the node's figures. */
  List<AdminRoutes> routes() {
    return List.of(new MetricsEndpoint(vertx, metrics, this), new HealthEndpoints(this), new StatusPage(metrics, this));
  }

  /** The node is going down: it is no longer ready. */
  void closing() {
    closing = true;
  }

  /** Stops measuring and releases the meters; again is nothing. */
  synchronized void close() {
    if (spaceTimer == -2) {
      return;
    }
    closing = true;
    vertx.cancelTimer(spaceTimer);
    spaceTimer = -2;
    metrics.close();
  }

  @Override
  public synchronized Future<Void> refresh() {
    if (spool == null || !census.isComplete() || System.nanoTime() - censusStarted < censusSpacing) {
      return census;
    }
    censusStarted = System.nanoTime();
    SpoolFigures figures = spool.figures();
    census = figures.census().map(c -> {
      long messages = (long) c.incoming() + c.held();
      setSpacing(messages <= LARGE_SPOOL ? 0 : Math.min(MAX_CENSUS_SPACING_NANOS, messages * CENSUS_NANOS_PER_MESSAGE));
      int active = queue.activeCount();
      // incoming holds the active messages too; what is left waits on disk for its time or for room
      metrics.queue().update(new QueueGauges.Counts(active, Math.max(0, c.incoming() - active), c.held(),
          c.oldestMillis()));
      return (Void) null;
    }).otherwise(e -> {
      log.warn("cannot count the spool's messages: {}", e.toString());
      return null;
    });
    return census;
  }

  private synchronized void setSpacing(long nanos) {
    censusSpacing = nanos;
  }

  @Override
  public Future<List<Check>> readiness() {
    Check listening = listenerRole
        ? new Check("listeners", !closing, closing ? "closing" : "listening: " + listeners)
        : new Check("listeners", !closing, "no listener role");
    if (spool == null) {
      return Future.succeededFuture(List.of(listening, new Check("spool", true, "no queue role")));
    }
    SpoolFigures figures = spool.figures();
    Future<Check> writable = figures.probeWrite()
        .map(v -> new Check("spool", true, spool.directory() + " takes a synced write"))
        .otherwise(e -> new Check("spool", false, spool.directory() + ": " + e));
    Future<Check> space = figures.measureSpace()
        .map(free -> {
          SpoolSpace s = figures.space();
          return new Check("disk", s.hasRoom(0), free + " octets free, reserve " + s.reserve());
        })
        .otherwise(e -> new Check("disk", false, "cannot measure: " + e));
    return Future.all(writable, space).map(all -> List.of(listening, writable.result(), space.result()));
  }

  @Override
  public Future<JsonObject> node() {
    return cluster().map(cluster -> new JsonObject()
        .put("hostname", hostname)
        .put("startedAt", startedAt)
        .put("listeners", new JsonObject(new LinkedHashMap<>(listeners)))
        .put("cluster", cluster));
  }

  /** The cluster manager's members with their event-bus addresses; none when not clustered. */
  private Future<JsonObject> cluster() {
    JsonObject cluster = new JsonObject().put("clustered", vertx.isClustered());
    ClusterManager manager = vertx instanceof VertxInternal internal ? internal.clusterManager() : null;
    if (manager == null) {
      return Future.succeededFuture(cluster.put("members", new JsonArray()));
    }
    String self = manager.getNodeId();
    List<Future<JsonObject>> members = new ArrayList<>();
    for (String id : manager.getNodes()) {
      Promise<NodeInfo> info = Promise.promise();
      manager.getNodeInfo(id, info);
      JsonObject member = new JsonObject().put("id", id).put("self", id.equals(self));
      members.add(info.future().map(i -> member.put("address", i.host() + ":" + i.port())).otherwise(member));
    }
    return Future.join(members).map(x -> {
      JsonArray list = new JsonArray();
      members.forEach(m -> list.add(m.result()));
      return cluster.put("members", list);
    });
  }
}
