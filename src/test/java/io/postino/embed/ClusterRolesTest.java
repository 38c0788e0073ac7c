package io.postino.embed;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.ClusterOptions;
import io.postino.Postino;
import io.postino.bus.DeliveryEvent;
import io.postino.testing.SmtpSink;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Roles split across a cluster: node A accepts mail (listener, queue, resolver) and delivery
 * nodes send it out, each a clustered Vert.x with its own Hazelcast member, in one JVM. They
 * share the spool directory, as nodes on one host do (a delivery job names the spool file). When
 * the only delivery node leaves, A keeps the message and retries it; a new delivery node that
 * joins delivers it, at once when the message was deferred for want of one. This is the README's
 * clustering example.
 */
class ClusterRolesTest {

  @TempDir
  Path dir;
  SmtpSink sink;
  TestCluster cluster;
  Vertx nodeA;
  Vertx nodeB;
  Vertx nodeC;
  final BlockingQueue<DeliveryEvent> events = new LinkedBlockingQueue<>();

  @BeforeEach
  void setUp() {
    sink = new SmtpSink().start();
    cluster = new TestCluster(3);
  }

  @AfterEach
  void tearDown() {
    cluster.close();
    sink.close();
  }

  /** What every node shares: the spool path, and no TLS or AUTH set-up to slow the test. */
  private JsonObject node(String name, String... roles) {
    return TestCluster.node(dir, name, roles);
  }

  private Vertx joinWithDeliveryRole(String name) {
    JsonObject cluster = this.cluster.options();
    // --- example: a delivery-only node (README, "Clustering") ---
    Vertx node = new ClusterOptions(cluster).clusteredVertx().await();
    Postino.deploy(node, node(name, "delivery")).await();
    // --- end of example ---
    return this.cluster.joined(node);
  }

  private static void sendMail(int port, String subject) throws Exception {
    try (SmtpTestClient c = new SmtpTestClient(port)) {
      expect(c.read(), 220);
      expect(c.startData("alice@local.example", "bob@remote.example"), 354);
      c.send("Subject: " + subject + "\r\n\r\nhello\r\n.\r\n");
      expect(c.read(), 250);
    }
  }

  private static JsonObject statusJson(int adminPort) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + adminPort + "/status.json")).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  /** The next event about a message, skipping others; none within 20 s fails. */
  private DeliveryEvent nextEvent(DeliveryEvent.Type type) throws InterruptedException {
    while (true) {
      DeliveryEvent e = events.poll(20, TimeUnit.SECONDS);
      if (e == null) {
        throw new AssertionError("no " + type + " event within 20 s");
      }
      if (e.event() == type) {
        return e;
      }
    }
  }

  /** Node A: listener, queue and resolver, its jobs sent across the cluster, retried after {@code backoff} s. */
  private Postino startNodeA(double backoff) {
    nodeA = cluster.join();
    nodeA.eventBus().<JsonObject>consumer("postino.delivery.events", m -> events.add(DeliveryEvent.fromJson(m.body())))
        .completion().await();
    return Postino.deploy(nodeA, node("a", "listener", "queue", "resolver")
        .put("smtp", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("localDomains", new JsonArray().add("local.example"))
        .put("dns", new JsonObject().put("servers", new JsonArray().add("127.0.0.1:9"))
            .put("routes", new JsonObject().put("remote.example", "127.0.0.1:" + sink.port())))
        .put("queue", new JsonObject().put("deliverAcrossCluster", true)
            .put("minBackoff", backoff).put("maxBackoff", backoff).put("scanInterval", 0.1).put("deliveryTimeout", 10))
        .put("admin", new JsonObject().put("enabled", true).put("port", 0)
            .put("tokenFile", dir.resolve("admin.token").toString())))
        .await();
  }

  @Test
  void aListenerNodeAndDeliveryNodesDeliverEndToEnd() throws Exception {
    // retried every half second while no node takes the jobs
    Postino a = startNodeA(0.5);
    nodeB = joinWithDeliveryRole("b");

    // the status page's figures name both members of the cluster, A as itself
    JsonObject status = statusJson(a.adminPort());
    assertEquals(true, status.getJsonObject("node").getJsonObject("cluster").getBoolean("clustered"));
    JsonArray members = status.getJsonObject("node").getJsonObject("cluster").getJsonArray("members");
    assertEquals(2, members.size(), members.encode());
    assertEquals(1, members.stream().filter(m -> ((JsonObject) m).getBoolean("self")).count(), members.encode());
    members.forEach(m -> assertTrue(((JsonObject) m).getString("address", "").matches("127\\.0\\.0\\.1:\\d+"),
        "the event-bus address of " + m));

    // delivered by B: A has no delivery verticle (a job sent before B's consumer was known on A
    // is retried, so the test does not wait for that)
    sendMail(a.smtpPort(), "first");
    SmtpSink.Received first = sink.next();
    assertEquals("b.test.example", first.helo());
    assertEquals(List.of("bob@remote.example"), first.recipients());
    assertEquals("bob@remote.example", nextEvent(DeliveryEvent.Type.DELIVERED).result().recipient().address());

    // B leaves: the next message waits in A's spool, retried on the schedule
    nodeB.close().await();
    nodeB = null;
    sendMail(a.smtpPort(), "second");
    DeliveryEvent deferred = nextEvent(DeliveryEvent.Type.DEFERRED);

    // a new delivery node joins and takes it at the next attempt
    nodeC = joinWithDeliveryRole("c");
    SmtpSink.Received second = sink.next();
    assertEquals("c.test.example", second.helo());
    DeliveryEvent delivered = nextEvent(DeliveryEvent.Type.DELIVERED);
    assertEquals(deferred.queueId(), delivered.queueId());
  }

  @Test
  void mailDeferredForWantOfADeliveryNodeGoesAsSoonAsOneJoins() throws Exception {
    // an hour's backoff: only the new node's announcement can explain a delivery within the test
    Postino a = startNodeA(3600);
    sendMail(a.smtpPort(), "waiting");
    DeliveryEvent deferred = nextEvent(DeliveryEvent.Type.DEFERRED);
    assertTrue(deferred.result().text().startsWith("no delivery node"), deferred.result().text());

    nodeB = joinWithDeliveryRole("b");
    SmtpSink.Received received = sink.next();
    assertEquals("b.test.example", received.helo());
    assertEquals(deferred.queueId(), nextEvent(DeliveryEvent.Type.DELIVERED).queueId());
  }
}
