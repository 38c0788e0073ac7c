package io.postino.embed;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.ClusterOptions;
import io.postino.Postino;
import io.postino.bus.InboundEvent;
import io.postino.reactor.ReactivePostino;
import io.postino.testing.LogCapture;
import io.postino.testing.SmtpTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.util.retry.Retry;

/**
 * Two clustered Vert.x nodes on 127.0.0.1 (Hazelcast, TCP-IP join): Postino runs on node A, and
 * code on node B uses its event-bus API across the cluster. The event-bus port is configured, and
 * each node logs the cluster it joined and the members that join and leave.
 */
class ClusterTest {

  @TempDir
  Path dir;
  Vertx nodeA;
  Vertx nodeB;

  @AfterEach
  void tearDown() {
    if (nodeB != null) {
      nodeB.close().await();
    }
    if (nodeA != null) {
      nodeA.close().await();
    }
  }

  @Test
  void aSecondNodeUsesPostinoOverTheClusteredBus() throws Exception {
    // a cluster of its own, so that no other test run on this machine can join it
    JsonObject cluster = new JsonObject().put("name", "postino-test-" + UUID.randomUUID());
    nodeA = new ClusterOptions(cluster).clusteredVertx().await();
    nodeB = new ClusterOptions(cluster).clusteredVertx().await();

    Postino postino = Postino.deploy(nodeA, new JsonObject()
        .put("hostname", "a.test.example")
        .put("smtp", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("localDomains", new JsonArray().add("local.example"))
        .put("spool", new JsonObject().put("directory", dir.resolve("spool").toString()))
        .put("maildir", new JsonObject().put("root", dir.resolve("maildir").toString()))
        .put("dns", new JsonObject().put("servers", new JsonArray().add("127.0.0.1:9"))
            .put("routes", new JsonObject().put("lab.example", "127.0.0.1:2526")))).await();

    ReactivePostino remote = new ReactivePostino(nodeB);
    // subscriptions reach other nodes asynchronously: NO_HANDLERS just after start-up is retried
    var route = remote.resolveMx("lab.example")
        .retryWhen(Retry.fixedDelay(100, Duration.ofMillis(100)).filter(e ->
            e instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS))
        .block(Duration.ofSeconds(30));
    assertEquals(2526, route.hosts().get(0).port());

    // inbound mail on A is seen by a subscriber on B; mail is sent until B's subscription has
    // reached A (each message publishes one event)
    CompletableFuture<InboundEvent> seen = new CompletableFuture<>();
    remote.inbound().next().subscribe(seen::complete, seen::completeExceptionally);
    try (SmtpTestClient c = new SmtpTestClient(postino.smtpPort())) {
      expect(c.read(), 220);
      expect(c.command("EHLO client.example"), 250);
      for (int i = 0; i < 100 && !seen.isDone(); i++) {
        expect(c.command("MAIL FROM:<a@b.example>"), 250);
        expect(c.command("RCPT TO:<bob@local.example>"), 250);
        expect(c.command("DATA"), 354);
        c.send("Subject: " + i + "\r\n\r\nhi\r\n.\r\n");
        expect(c.read(), 250);
        try {
          seen.get(100, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException notYet) {
          // B's consumer is not known on A yet: send another
        }
      }
    }
    assertEquals("bob@local.example", seen.get(10, TimeUnit.SECONDS).mailboxes().get(0).recipient());
  }

  @Test
  void theEventBusPortIsConfiguredAndMembersAreLogged() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    JsonObject cluster = new JsonObject().put("name", "postino-test-" + UUID.randomUUID()).put("eventBusPort", port);
    try (LogCapture log = new LogCapture()) {
      nodeA = new ClusterOptions(cluster).clusteredVertx().await();
      assertEquals(port, ((VertxInternal) nodeA).clusterManager().getNodeInfo().port());
      String nodeId = ((VertxInternal) nodeA).clusterManager().getNodeId();
      String joined = log.await("naming " + nodeId, l -> l.contains("joined as node " + nodeId));
      assertTrue(joined.contains("event bus 127.0.0.1:" + port + "); 1 member(s)"), joined);

      // B takes the next port; A logs it joining and leaving
      nodeB = new ClusterOptions(cluster.copy().put("eventBusPort", 0)).clusteredVertx().await();
      String nodeB = ((VertxInternal) this.nodeB).clusterManager().getNodeId();
      log.await("of B joining", l -> l.contains("member ") && l.contains(nodeB + " joined; 2 member(s)"));
      this.nodeB.close().await();
      this.nodeB = null;
      log.await("of B leaving", l -> l.contains(nodeB + " left; 1 member(s)") && l.contains(nodeId + " (this node)"));
    }
  }
}
