package io.postino;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.postino.config.JsonReader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;

/**
 * How a node joins a Postino cluster: the {@code "cluster"} object of {@code conf/postino.json}.
 * Hazelcast with a TCP-IP member list (no multicast, no cloud auto-detection), bound to one
 * interface; the defaults make a loopback-only lab cluster of nodes on one machine.
 */
public final class ClusterOptions {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 5701;
  public static final List<String> DEFAULT_MEMBERS = List.of("127.0.0.1");
  public static final String DEFAULT_NAME = "postino";
  /** The event bus's port: 0, any free port, chosen at start (and logged). */
  public static final int DEFAULT_EVENT_BUS_PORT = 0;

  private final String host;
  private final int port;
  private final String eventBusHost;
  private final int eventBusPort;
  private final List<String> members;
  private final String name;

  /** Reads a {@code "cluster"} object on its own: unknown keys and wrong types are refused. */
  public ClusterOptions(JsonObject json) {
    this(JsonReader.of(json, "cluster"), true);
  }

  /** Reads the {@code "cluster"} object of a whole configuration, whose reader reports unknown keys. */
  public ClusterOptions(JsonReader json) {
    this(json, false);
  }

  private ClusterOptions(JsonReader json, boolean alone) {
    this.host = json.string("host", DEFAULT_HOST);
    this.port = json.integer("port", DEFAULT_PORT);
    this.members = List.copyOf(json.stringList("members", DEFAULT_MEMBERS));
    this.name = json.string("name", DEFAULT_NAME);
    this.eventBusHost = json.string("eventBusHost", host);
    this.eventBusPort = json.integer("eventBusPort", DEFAULT_EVENT_BUS_PORT);
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(json.path("port") + " out of range: " + port);
    }
    if (eventBusPort < 0 || eventBusPort > 65535) {
      throw new IllegalArgumentException(json.path("eventBusPort") + " out of range: " + eventBusPort);
    }
    if (alone) {
      json.reportUnknown();
    }
  }

  /** The Hazelcast configuration: Vert.x's own maps kept, discovery by the member list only. */
  public Config hazelcastConfig() {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(name);
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.socket.bind.any", "false");
    // without it a node waits several seconds before joining
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(port).setPortAutoIncrement(true);
    network.getInterfaces().setEnabled(true).addInterface(host);
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(members);
    return config;
  }

  /** The {@code "cluster"} object these options were read from, defaults filled in. */
  public JsonObject toJson() {
    return new JsonObject().put("host", host).put("port", port).put("members", new JsonArray(members))
        .put("name", name).put("eventBusHost", eventBusHost).put("eventBusPort", eventBusPort);
  }

  /** The event bus between nodes: on {@code eventBusHost}, port {@code eventBusPort} (0: any free one). */
  public EventBusOptions eventBusOptions() {
    return new EventBusOptions().setHost(eventBusHost).setClusterPublicHost(eventBusHost).setPort(eventBusPort);
  }

  /**
   * A clustered Vert.x whose event bus listens as {@link #eventBusOptions} says. Logs the cluster
   * it joined and, from then on, the members that join and leave.
   */
  public Future<Vertx> clusteredVertx() {
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcastConfig());
    return Vertx.builder()
        .with(new VertxOptions().setEventBusOptions(eventBusOptions()))
        .withClusterManager(manager)
        .buildClustered()
        .onSuccess(vertx -> ClusterLog.watch(name, manager));
  }
}
