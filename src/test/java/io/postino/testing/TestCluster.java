package io.postino.testing;

import io.postino.ClusterOptions;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A Hazelcast cluster of its own for one test, on 127.0.0.1: a name no other test run uses, and a
 * member port for each node, picked free at the start and listed in every node's member list. The
 * default range (5701 and the next two) may be taken by other clusters on this host, and nodes
 * pushed past it would not find each other: each would form a cluster alone, and a test of limits
 * shared by the cluster would pass for nothing. So {@link #join} checks that a new node sees all
 * the running nodes started before it. Closing it closes the nodes it started, the last first
 * (closing one a test closed already does nothing).
 */
public final class TestCluster implements AutoCloseable {

  private final String name = "postino-test-" + UUID.randomUUID();
  private final List<Integer> ports = new ArrayList<>();
  private final List<Vertx> nodes = new ArrayList<>();

  /** Room for {@code size} nodes. */
  public TestCluster(int size) {
    for (int i = 0; i < size; i++) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
        ports.add(s.getLocalPort());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The {@code "cluster"} configuration of the next node to join. */
  public JsonObject options() {
    if (nodes.size() == ports.size()) {
      throw new IllegalStateException("the cluster has room for " + ports.size() + " nodes");
    }
    JsonArray members = new JsonArray();
    ports.forEach(p -> members.add("127.0.0.1:" + p));
    // a member that died is most often dropped at once, when its connections fail; when not, after
    // this many seconds without a heartbeat: 60 by default, as long as the deadlines of the tests
    // that kill a node, which then raced it (ClusterLimitsTest failed so once)
    return new JsonObject().put("name", name).put("host", "127.0.0.1").put("port", ports.get(nodes.size()))
        .put("members", members).put("heartbeatTimeout", 20);
  }

  /** Starts the next node: a clustered Vert.x that has joined the running nodes started before it. */
  public Vertx join() {
    return joined(new ClusterOptions(options()).clusteredVertx().await());
  }

  /**
   * Takes {@code node}, started with {@link #options}, as the next node (closed with the others),
   * once it is seen to have joined the nodes of this cluster that still run.
   */
  public Vertx joined(Vertx node) {
    nodes.add(node);
    long running = nodes.stream().filter(TestCluster::running).count();
    int seen = ((VertxInternal) node).clusterManager().getNodes().size();
    if (seen < running) {
      throw new IllegalStateException("node " + nodes.size() + " sees " + seen + " member(s) of " + name
          + " of " + running + ": it did not find the others");
    }
    return node;
  }

  private static boolean running(Vertx node) {
    return ((HazelcastClusterManager) ((VertxInternal) node).clusterManager()).getHazelcastInstance()
        .getLifecycleService().isRunning();
  }

  /**
   * The configuration of a Postino node named {@code name} with {@code roles}, its spool and
   * Maildir root under {@code dir} (one directory for all nodes when they share a spool), with no
   * TLS or AUTH set-up to slow the test.
   */
  public static JsonObject node(Path dir, String name, String... roles) {
    return new JsonObject()
        .put("hostname", name + ".test.example")
        .put("roles", new JsonArray(List.of((Object[]) roles)))
        .put("spool", new JsonObject().put("directory", dir.resolve("spool").toString()))
        .put("maildir", new JsonObject().put("root", dir.resolve("maildir").toString()))
        .put("tls", new JsonObject().put("enabled", false))
        .put("auth", new JsonObject().put("enabled", false));
  }

  @Override
  public void close() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close().toCompletionStage().toCompletableFuture().completeOnTimeout(null, 20, TimeUnit.SECONDS).join();
    }
  }
}
