package io.postino.queue;

import io.postino.bus.Addresses;
import io.postino.bus.JobTaken;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs this queue has sent across the cluster and the node that took each (it says so, see
 * {@link JobTaken}). When a node leaves the cluster (Hazelcast's membership: it was stopped,
 * killed, or cut off), the jobs it held are given up at once: their recipients are deferred and
 * tried again on another delivery node right after the round, instead of after
 * {@code queue.deliveryTimeout}. A node that is only cut off may still deliver what it held: the
 * recipient may then get the message twice, which the at-least-once promise allows.
 *
 * <p>A job sent to a node that dies before acknowledging it still waits for its timeout. Tracking
 * needs the Hazelcast cluster manager (its membership events, {@link HazelcastDepartures}); with
 * another cluster manager, or none, {@link #track} returns null and jobs wait for their timeout as
 * before. Queue context only.
 */
final class JobsInFlight {

  /**
   * Named, not imported: Hazelcast is optional for an embedding application, and this class is
   * loaded by every queue.
   */
  private static final String HAZELCAST_MANAGER = "io.vertx.spi.cluster.hazelcast.HazelcastClusterManager";

  private static final Logger log = LoggerFactory.getLogger(JobsInFlight.class);
  /**
   * A job under way: its id and where to acknowledge it (its {@link JobTaken} headers), and why
   * it was lost if its node leaves.
   */
  record Job(String id, String address, Future<String> lost) {
  }

  /** A tracked job: the node that took it, once it said so. */
  private static final class Holder {
    final Promise<String> lost = Promise.promise();
    String node;
  }

  private final Map<String, Holder> jobs = new HashMap<>();
  private String address;
  private ClusterManager manager;
  private Runnable stopWatching;
  private MessageConsumer<JsonObject> consumer;

  /** Starts listening for acknowledgements and members leaving, when the cluster manager is Hazelcast's. */
  Future<Void> start(Vertx vertx, Addresses addresses) {
    manager = vertx instanceof VertxInternal internal ? internal.clusterManager() : null;
    if (!isHazelcast(manager)) {
      return Future.succeededFuture();
    }
    address = addresses.prefix() + ".queue.job-taken." + UUID.randomUUID();
    Context context = vertx.getOrCreateContext();
    stopWatching = HazelcastDepartures.watch(manager, where -> context.runOnContext(v -> left(where)));
    consumer = vertx.eventBus().consumer(address, m -> taken(JobTaken.fromJson(m.body())));
    return consumer.completion();
  }

  /** Whether {@code manager} is Vert.x's Hazelcast one, asked without loading Hazelcast's classes when absent. */
  private static boolean isHazelcast(ClusterManager manager) {
    if (manager == null) {
      return false;
    }
    try {
      return Class.forName(HAZELCAST_MANAGER, false, manager.getClass().getClassLoader()).isInstance(manager);
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  Future<Void> stop() {
    if (stopWatching != null) {
      stopWatching.run();
    }
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  /** A new job to track until {@link #done}, or null when nothing tells this queue of members leaving. */
  Job track() {
    if (consumer == null) {
      return null;
    }
    String id = UUID.randomUUID().toString();
    Holder holder = new Holder();
    jobs.put(id, holder);
    return new Job(id, address, holder.lost.future());
  }

  /** The job has its answer (or timed out): nothing to watch any more. */
  void done(Job job) {
    jobs.remove(job.id());
  }

  private void taken(JobTaken taken) {
    Holder holder = jobs.get(taken.job());
    if (holder == null) {
      return;
    }
    holder.node = taken.node();
    // the node may have left between acknowledging and now
    if (!manager.getNodes().contains(taken.node())) {
      holder.lost.tryComplete("delivery node " + taken.node() + " left the cluster");
    }
  }

  /**
   * A member left: the jobs held by nodes no longer in the cluster are lost (the members are
   * read afresh, so a node whose leaving was reported before its acknowledgement came is caught
   * by {@link #taken}, and one reported in the same breath as another here).
   */
  private void left(String where) {
    Set<String> members = new HashSet<>(manager.getNodes());
    Set<String> gone = new TreeSet<>();
    for (Holder holder : jobs.values()) {
      if (holder.node != null && !members.contains(holder.node)
          && holder.lost.tryComplete("delivery node " + holder.node + " left the cluster")) {
        gone.add(holder.node);
      }
    }
    if (!gone.isEmpty()) {
      log.warn("member {} left the cluster: the jobs held by delivery node {} are tried again on another node", where,
          String.join(", ", gone));
    }
  }
}
