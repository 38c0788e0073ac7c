package io.postino;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.postino.config.JsonReader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * How a node joins a Postino cluster: the {@code "cluster"} object of {@code conf/postino.json}.
 * Hazelcast with a TCP-IP member list (no multicast, no cloud auto-detection), bound to one
 * interface; the defaults make a loopback-only lab cluster of nodes on one machine.
 *
 * <p>With {@code cluster.tls} the event bus between nodes is TLS both ways: every node presents
 * its certificate and accepts only peers whose certificate the cluster's CA signed, so a process
 * without such a certificate can neither send on Postino's addresses nor be sent jobs, replies or
 * events, even when it has joined Hazelcast (whose open-source edition authenticates no one).
 */
public final class ClusterOptions {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 5701;
  public static final List<String> DEFAULT_MEMBERS = List.of("127.0.0.1");
  public static final String DEFAULT_NAME = "postino";
  /** The event bus's port: 0, any free port, chosen at start (and logged). */
  public static final int DEFAULT_EVENT_BUS_PORT = 0;
  /** Hazelcast's own default: a member silent this long (seconds) is taken for dead. */
  public static final int DEFAULT_HEARTBEAT_TIMEOUT = 60;

  private final String host;
  private final int port;
  private final String eventBusHost;
  private final int eventBusPort;
  private final List<String> members;
  private final String name;
  private final int heartbeatTimeout;
  /** PEM files; all null when the event bus is in plain text. */
  private final String tlsCertificate;
  private final String tlsKey;
  private final String tlsTrusted;

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
    this.heartbeatTimeout = json.integer("heartbeatTimeout", DEFAULT_HEARTBEAT_TIMEOUT);
    if (heartbeatTimeout < 10) {
      // Hazelcast heartbeats every 5 s: less would take live members for dead
      throw new IllegalArgumentException(json.path("heartbeatTimeout") + " must be at least 10 s: " + heartbeatTimeout);
    }
    JsonReader tls = json.object("tls");
    this.tlsCertificate = tls.string("certificate", null);
    this.tlsKey = tls.string("key", null);
    this.tlsTrusted = tls.string("trustedCertificates", null);
    boolean anyTls = tlsCertificate != null || tlsKey != null || tlsTrusted != null;
    if (anyTls && (tlsCertificate == null || tlsKey == null || tlsTrusted == null)) {
      throw new IllegalArgumentException(json.path("tls")
          + ": certificate, key and trustedCertificates go together (the node's own and the cluster's CA)");
    }
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
    // how soon a member that vanished without closing its connections (power cut, cable) is
    // declared gone, and its delivery jobs tried elsewhere; a killed process's closed
    // connections are noticed within a second or so whatever this says
    config.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(heartbeatTimeout));
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
        .put("name", name).put("eventBusHost", eventBusHost).put("eventBusPort", eventBusPort)
        .put("heartbeatTimeout", heartbeatTimeout)
        .put("tls", tlsCertificate == null ? new JsonObject() : new JsonObject().put("certificate", tlsCertificate)
            .put("key", tlsKey).put("trustedCertificates", tlsTrusted));
  }

  /** Whether the event bus between nodes is TLS with client certificates ({@code cluster.tls}). */
  public boolean isTls() {
    return tlsCertificate != null;
  }

  /**
   * The event bus between nodes: on {@code eventBusHost}, port {@code eventBusPort} (0: any free
   * one); with {@code cluster.tls}, TLS both ways with a client certificate required. Only the
   * cluster's CA is trusted and no host name is checked: the CA is the cluster's own, and what a
   * peer proves is that it holds a certificate of it, not which host it is. Vert.x's event bus
   * trusts every server certificate by default ({@code EventBusOptions.DEFAULT_TRUST_ALL}), which
   * would hand jobs to any process that subscribed in Hazelcast; that is turned off.
   */
  public EventBusOptions eventBusOptions() {
    EventBusOptions options = new EventBusOptions().setHost(eventBusHost).setClusterPublicHost(eventBusHost)
        .setPort(eventBusPort);
    if (isTls()) {
      options.setSsl(true).setClientAuth(ClientAuth.REQUIRED).setTrustAll(false)
          .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tlsCertificate).setKeyPath(tlsKey))
          .setTrustOptions(new PemTrustOptions().addCertPath(tlsTrusted));
    }
    return options;
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
        .onSuccess(vertx -> {
          ClusterLog.watch(name, manager);
          if (!isTls() && !loopback(eventBusHost)) {
            LoggerFactory.getLogger(ClusterLog.class).warn("cluster {}: the event bus on {}:{} is plain text: any process"
                + " that reaches the Hazelcast port can join and use it; set cluster.tls (README, Clustering)", name,
                eventBusHost, manager.getNodeInfo().port());
          }
        });
  }

  /** Whether {@code host} is a loopback address, by its text (no name lookup: this runs on an event loop). */
  private static boolean loopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
  }
}
