package io.postino.embed;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.Postino;
import io.postino.bus.DeliveryEvent;
import io.postino.testing.SmtpSink;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes failing in a cluster, each a clustered Vert.x with its own Hazelcast member in one JVM:
 * a delivery node that dies with a job under way has the job tried again on another delivery
 * node at once (not after {@code queue.deliveryTimeout} or the backoff, both an hour here); a
 * queue node that dies keeps its mail in its spool, and a queue node started again on that
 * spool delivers it.
 */
class ClusterFailoverTest {

  @TempDir
  Path dir;
  SmtpSink sink;
  TestCluster cluster;
  final List<Vertx> nodes = new ArrayList<>();
  final BlockingQueue<DeliveryEvent> events = new LinkedBlockingQueue<>();

  @BeforeEach
  void setUp() {
    sink = new SmtpSink().start();
    // a, b, then c, or a, b, a again and c
    cluster = new TestCluster(4);
  }

  @AfterEach
  void tearDown() {
    // lets go of a session a test left held, so that the nodes close at once
    sink.close();
    cluster.close();
  }

  private Vertx join() {
    Vertx node = cluster.join();
    nodes.add(node);
    return node;
  }

  private JsonObject node(String name, String... roles) {
    return TestCluster.node(dir, name, roles);
  }

  private Vertx startDeliveryNode(String name) {
    Vertx node = join();
    Postino.deploy(node, node(name, "delivery")).await();
    return node;
  }

  /** A queue node whose jobs go across the cluster; an hour's backoff and job timeout. */
  private Postino startQueueNode() {
    Vertx node = join();
    node.eventBus().<JsonObject>consumer("postino.delivery.events", m -> events.add(DeliveryEvent.fromJson(m.body())))
        .completion().await();
    return Postino.deploy(node, node("a", "listener", "queue", "resolver")
        .put("smtp", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("localDomains", new JsonArray().add("local.example"))
        .put("dns", new JsonObject().put("servers", new JsonArray().add("127.0.0.1:9"))
            .put("routes", new JsonObject().put("remote.example", "127.0.0.1:" + sink.port())))
        .put("queue", new JsonObject().put("deliverAcrossCluster", true)
            .put("minBackoff", 3600).put("maxBackoff", 3600).put("scanInterval", 0.1).put("deliveryTimeout", 3600)))
        .await();
  }

  private static void sendMail(int port, String subject) throws Exception {
    try (SmtpTestClient c = new SmtpTestClient(port)) {
      expect(c.read(), 220);
      expect(c.startData("alice@local.example", "bob@remote.example"), 354);
      c.send("Subject: " + subject + "\r\n\r\nhello\r\n.\r\n");
      expect(c.read(), 250);
    }
  }

  /** The next event of {@code type}, skipping others; none within 20 s fails. */
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

  /** The first session's message is caught after its content, its reply held until the sink closes. */
  private CountDownLatch holdTheFirstMessage() {
    AtomicBoolean first = new AtomicBoolean(true);
    return sink.hold(recipients -> first.getAndSet(false));
  }

  /** Kills a node's cluster membership as a crash does: no goodbye, its connections just drop. */
  private static void crash(Vertx node) {
    ((HazelcastClusterManager) ((VertxInternal) node).clusterManager()).getHazelcastInstance()
        .getLifecycleService().terminate();
  }

  @Test
  void theJobsOfADeliveryNodeThatDiesAreTriedAgainOnAnotherAtOnce() throws Exception {
    Postino a = startQueueNode();
    Vertx b = startDeliveryNode("b");
    CountDownLatch caught = holdTheFirstMessage();
    sendMail(a.smtpPort(), "under way when b dies");
    assertTrue(caught.await(20, TimeUnit.SECONDS), "b's session reached the destination");

    startDeliveryNode("c");
    crash(b);

    // tried again by c at once: the job's timeout and the backoff are an hour
    DeliveryEvent deferred = nextEvent(DeliveryEvent.Type.DEFERRED);
    assertTrue(deferred.result().text().matches("delivery node .* left the cluster"), deferred.result().text());
    SmtpSink.Received received = sink.next();
    assertEquals("c.test.example", received.helo());
    assertEquals(deferred.queueId(), nextEvent(DeliveryEvent.Type.DELIVERED).queueId());
  }

  @Test
  void aQueueNodeStartedAgainOnItsSpoolDeliversWhatItHad() throws Exception {
    Postino a = startQueueNode();
    Vertx b = startDeliveryNode("b");
    CountDownLatch caught = holdTheFirstMessage();
    sendMail(a.smtpPort(), "accepted before a dies");
    assertTrue(caught.await(20, TimeUnit.SECONDS), "b's session reached the destination");

    // a dies with the delivery under way: no result was recorded, the message is in its spool
    Vertx nodeA = nodes.get(0);
    nodeA.close().await();
    nodes.remove(nodeA);
    // b's session ends (the destination takes the message) with no queue to tell: the first copy
    sink.release();
    assertEquals("b.test.example", sink.next().helo());
    b.close().await();
    nodes.remove(b);

    // a again, on the same spool, with another delivery node: the message goes again (at least
    // once); if c is not there yet at a's first scan, its announcement makes the message due
    Postino again = startQueueNode();
    startDeliveryNode("c");
    SmtpSink.Received second = sink.next();
    assertEquals("c.test.example", second.helo());
    assertEquals(List.of("bob@remote.example"), second.recipients());
    nextEvent(DeliveryEvent.Type.DELIVERED);
    assertTrue(again.queue().list().await().isEmpty(), "the spool is empty");
  }
}
