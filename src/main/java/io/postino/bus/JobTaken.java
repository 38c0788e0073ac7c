package io.postino.bus;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import java.util.Objects;

/**
 * A delivery verticle's word that it has taken a job, naming the cluster node it runs on:
 * {@code {"version": 1, "job": "…", "node": "…"}}, sent to the address the job's
 * {@link #ADDRESS_HEADER} header names. The queue that sent the job then knows which node holds
 * it, and when that node leaves the cluster it tries the job again elsewhere at once instead of
 * waiting for the job's timeout. A job without the header (a standalone node, or a queue that
 * does not track its jobs) is not acknowledged.
 *
 * @param job  the job's {@link #JOB_HEADER} header
 * @param node the Vert.x cluster node id of the delivery verticle that took it
 */
public record JobTaken(String job, String node) {

  /** The header naming where to acknowledge a job. */
  public static final String ADDRESS_HEADER = "postino-job-taken";
  /** The header naming the job, echoed in the acknowledgement. */
  public static final String JOB_HEADER = "postino-job";

  public JobTaken {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(node, "node");
  }

  public JsonObject toJson() {
    return new JsonObject().put("version", 1).put("job", job).put("node", node);
  }

  public static JobTaken fromJson(JsonObject json) {
    return new JobTaken(json.getString("job"), json.getString("node"));
  }

  /**
   * Acknowledges {@code job} on behalf of this node when it asks for it and this node is in a
   * cluster; does nothing otherwise.
   */
  public static void acknowledge(Vertx vertx, Message<?> job) {
    String address = job.headers().get(ADDRESS_HEADER);
    String id = job.headers().get(JOB_HEADER);
    String node = nodeId(vertx);
    if (address != null && id != null && node != null) {
      vertx.eventBus().send(address, new JobTaken(id, node).toJson());
    }
  }

  /** This node's id in its cluster, or null when {@code vertx} is not clustered. */
  public static String nodeId(Vertx vertx) {
    ClusterManager manager = vertx instanceof VertxInternal internal ? internal.clusterManager() : null;
    return manager == null ? null : manager.getNodeId();
  }
}
