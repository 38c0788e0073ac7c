package io.postino.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.ClusterOptions;
import io.postino.Postino;
import io.postino.bus.RawMessage;
import io.postino.bus.SendReply;
import io.postino.testing.TestCa;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clustered event bus with {@code cluster.tls}: a node holding a certificate of the
 * cluster's CA uses {@code postino.send} on another node; processes that joined Hazelcast with
 * the right cluster name but without such a certificate (none at all, or one of another CA)
 * are members of Hazelcast, yet their requests never reach Postino and nothing is spooled.
 */
class ClusterTlsTest {

  @TempDir
  Path dir;
  TestCa clusterCa;
  JsonObject cluster;
  Postino postino;
  final List<Vertx> nodes = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    clusterCa = TestCa.create("cluster", dir);
    // a cluster of its own, so that no other test run on this machine can join it
    cluster = new JsonObject().put("name", "postino-test-" + UUID.randomUUID());
  }

  @AfterEach
  void tearDown() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close().await();
    }
  }

  private Vertx join(JsonObject tls) {
    JsonObject options = cluster.copy();
    if (tls != null) {
      options.put("tls", tls);
    }
    Vertx node = new ClusterOptions(options).clusteredVertx().await();
    nodes.add(node);
    return node;
  }

  /** A node's TLS settings: a certificate from {@code ca} for both ends of a connection, and whom it trusts. */
  private JsonObject tls(TestCa ca, String node, Path trusted) throws Exception {
    TestCa.Issued issued = ca.leaf(node)
        .purposes(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth).issue();
    return new JsonObject().put("certificate", issued.writeCertificate(dir.resolve(node + ".pem")).toString())
        .put("key", issued.writeKey(dir.resolve(node + ".key")).toString())
        .put("trustedCertificates", trusted.toString());
  }

  /** Node A: the queue, whose remote mail stays spooled (its only route is refused). */
  private Vertx startNodeA() throws Exception {
    return startNodeA(new JsonArray().add("queue").add("resolver").add("delivery"), new JsonObject());
  }

  private Vertx startNodeA(JsonArray roles, JsonObject queue) throws Exception {
    Vertx a = join(tls(clusterCa, "a", clusterCa.pemFile()));
    postino = Postino.deploy(a, new JsonObject()
        .put("hostname", "a.test.example")
        .put("roles", roles)
        .put("queue", queue)
        .put("spool", new JsonObject().put("directory", dir.resolve("spool").toString()))
        .put("maildir", new JsonObject().put("root", dir.resolve("maildir").toString()))
        .put("tls", new JsonObject().put("enabled", false))
        .put("auth", new JsonObject().put("enabled", false))
        .put("dns", new JsonObject().put("servers", new JsonArray().add("127.0.0.1:9"))
            .put("routes", new JsonObject().put("remote.example", "127.0.0.1:9")))).await();
    return a;
  }

  /**
   * {@code postino.send} from {@code node}, within {@code timeoutMillis}. NO_HANDLERS (the
   * subscription not known on this node yet) is tried again: any other outcome is the answer.
   */
  private static Future<String> send(Vertx node, long timeoutMillis) {
    JsonObject request = RawMessage.text("alice@example.org", List.of("bob@remote.example"),
        "Subject: hi\n\nhello\n").toJson();
    for (int attempt = 0; ; attempt++) {
      Future<String> reply = node.eventBus().<JsonObject>request("postino.send", request,
              new DeliveryOptions().setSendTimeout(timeoutMillis))
          .map(m -> SendReply.fromJson(m.body()).queueId());
      try {
        reply.await();
        return reply;
      } catch (ReplyException e) {
        if (e.failureType() != ReplyFailure.NO_HANDLERS || attempt == 100) {
          return reply;
        }
      }
    }
  }

  private static int members(Vertx node) {
    return ((VertxInternal) node).clusterManager().getNodes().size();
  }

  @Test
  void theOptionsAreCheckedAndApplied() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ClusterOptions(
        new JsonObject().put("tls", new JsonObject().put("certificate", "node.pem").put("key", "node.key"))));
    assertTrue(e.getMessage().startsWith("cluster.tls: certificate, key and trustedCertificates go together"),
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new ClusterOptions(
        new JsonObject().put("tls", new JsonObject().put("certificat", "node.pem"))));
    ClusterOptions options = new ClusterOptions(new JsonObject().put("tls", new JsonObject()
        .put("certificate", "node.pem").put("key", "node.key").put("trustedCertificates", "ca.pem")));
    assertTrue(options.eventBusOptions().isSsl());
    assertEquals(io.vertx.core.http.ClientAuth.REQUIRED, options.eventBusOptions().getClientAuth());
    assertEquals(false, options.eventBusOptions().isTrustAll());
    assertEquals(options.toJson(), new ClusterOptions(options.toJson()).toJson());
    assertEquals(false, new ClusterOptions(new JsonObject()).eventBusOptions().isSsl());
    assertEquals("60", new ClusterOptions(new JsonObject()).hazelcastConfig()
        .getProperty("hazelcast.max.no.heartbeat.seconds"));
    assertEquals("15", new ClusterOptions(new JsonObject().put("heartbeatTimeout", 15)).hazelcastConfig()
        .getProperty("hazelcast.max.no.heartbeat.seconds"));
    assertThrows(IllegalArgumentException.class, () -> new ClusterOptions(new JsonObject().put("heartbeatTimeout", 5)));
  }

  @Test
  void aNodeWithTheClusterCertificateSends() throws Exception {
    startNodeA();
    Vertx b = join(tls(clusterCa, "b", clusterCa.pemFile()));

    String queueId = send(b, 20_000).await();
    JsonArray queue = postino.queue().list().await();
    assertEquals(1, queue.size(), queue.encode());
    assertEquals(queueId, queue.getJsonObject(0).getString("id"), queue.encode());
  }

  @Test
  void aNodeWithoutTheClusterCertificateJoinsHazelcastButCannotSend() throws Exception {
    startNodeA();
    Vertx plain = join(null);
    TestCa otherCa = TestCa.create("other", dir);
    // trusts the cluster's CA (which is no secret) and presents a certificate of its own CA
    Vertx stranger = join(tls(otherCa, "stranger", clusterCa.pemFile()));
    // both are members of the Hazelcast cluster: Hazelcast keeps no one out
    assertEquals(3, members(stranger));

    for (Vertx outsider : List.of(plain, stranger)) {
      Future<String> reply = send(outsider, 2000);
      ReplyException failure = assertInstanceOf(ReplyException.class,
          assertThrows(Exception.class, reply::await), "a queue id was given: " + reply.result());
      assertEquals(ReplyFailure.TIMEOUT, failure.failureType(), failure.toString());
    }
    assertTrue(postino.queue().list().await().isEmpty(), "nothing spooled");
  }

  @Test
  void aNodeWithoutTheClusterCertificateGetsNoJobs() throws Exception {
    // A delivers nothing itself: every job goes to whatever consumes postino.delivery.submit
    Vertx a = startNodeA(new JsonArray().add("queue").add("resolver"), new JsonObject()
        .put("deliverAcrossCluster", true).put("deliveryTimeout", 1).put("minBackoff", 3600).put("maxBackoff", 3600));
    CompletableFuture<JsonObject> deferred = new CompletableFuture<>();
    a.eventBus().<JsonObject>consumer("postino.delivery.events", m -> {
      if ("deferred".equals(m.body().getString("event"))) {
        deferred.complete(m.body());
      }
    }).completion().await();
    TestCa otherCa = TestCa.create("other", dir);
    Vertx stranger = join(tls(otherCa, "stranger", clusterCa.pemFile()));
    List<JsonObject> taken = new CopyOnWriteArrayList<>();
    stranger.eventBus().<JsonObject>consumer("postino.delivery.submit", m -> taken.add(m.body())).completion().await();

    // the stranger's subscription is in Hazelcast, so A sends it the job, but A does not trust
    // the stranger's certificate: the job never arrives and times out on A, which defers it
    String queueId = send(a, 20_000).await();
    JsonObject event = deferred.get(30, TimeUnit.SECONDS);
    assertEquals(queueId, event.getString("queueId"), event.encode());
    assertTrue(event.encode().contains("no delivery node answered"), event.encode());
    assertEquals(List.of(), taken);
  }
}
