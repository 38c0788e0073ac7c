package io.postino.embed;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.ClusterOptions;
import io.postino.Postino;
import io.postino.bus.DeliveryEvent;
import io.postino.testing.ChildPostino;
import io.postino.testing.SmtpSink;
import io.postino.testing.SmtpTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A delivery node in a JVM of its own, reading the content of node A (this JVM) over the bus,
 * killed with SIGKILL while it fetches a message: another delivery node takes over, and every
 * message A accepted reaches the destination as A accepted it. Then the same with two listener
 * nodes, each with its own spool (A here, L in a JVM of its own), and the delivery nodes in JVMs
 * of their own.
 */
class ClusterChildJvmTest {

  @TempDir
  Path dir;
  final SmtpSink sink = new SmtpSink().start();
  final BlockingQueue<DeliveryEvent> events = new LinkedBlockingQueue<>();
  Vertx nodeA;
  Vertx nodeC;
  ChildPostino nodeB;
  final List<ChildPostino> children = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    if (nodeB != null) {
      nodeB.kill();
    }
    for (ChildPostino child : children) {
      child.kill();
    }
    for (Vertx node : new Vertx[] {nodeC, nodeA}) {
      if (node != null) {
        node.close().await();
      }
    }
    sink.close();
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  private static byte[] message(String subject, int size) {
    StringBuilder sb = new StringBuilder("Date: Sat, 05 Dec 2026 10:00:00 +0000\r\nMessage-ID: <").append(subject)
        .append("@test.example>\r\nSubject: ").append(subject).append("\r\n\r\n");
    for (int i = 0; sb.length() < size; i++) {
      sb.append("line ").append(i).append(" of ").append(subject).append(": the quick brown fox\r\n");
    }
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  // two Hazelcast members starting (one a JVM of its own): seconds alone, a minute or more on a busy 2-core machine
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aDeliveryJvmKilledMidStreamCostsARedelivery() throws Exception {
    int portA = freePort();
    int portB = freePort();
    JsonObject cluster = new JsonObject().put("name", "postino-test-" + UUID.randomUUID())
        .put("host", "127.0.0.1").put("members", new JsonArray().add("127.0.0.1:" + portA).add("127.0.0.1:" + portB));

    // A: listener and queue in this JVM; B is killed at its fifth chunk
    nodeA = new ClusterOptions(cluster.copy().put("port", portA)).clusteredVertx().await();
    nodeA.eventBus().<JsonObject>consumer("postino.delivery.events", m -> events.add(DeliveryEvent.fromJson(m.body())))
        .completion().await();
    AtomicInteger reads = new AtomicInteger();
    CompletableFuture<Void> killed = new CompletableFuture<>();
    nodeA.eventBus().addInboundInterceptor(ctx -> {
      if (ctx.message().address().startsWith("postino.spool.read.") && reads.incrementAndGet() == 5) {
        new Thread(() -> {
          try {
            nodeB.kill();
            killed.complete(null);
          } catch (Exception e) {
            killed.completeExceptionally(e);
          }
        }).start();
      }
      ctx.next();
    });
    Postino a = Postino.deploy(nodeA, ChildPostino.config(dir.resolve("a"))
        .put("hostname", "a.test.example")
        .put("roles", new JsonArray().add("listener").add("queue").add("resolver"))
        .put("dns", new JsonObject().put("servers", new JsonArray().add("127.0.0.1:9"))
            .put("routes", new JsonObject().put("remote.example", "127.0.0.1:" + sink.port())))
        .put("queue", new JsonObject().put("deliverAcrossCluster", true)
            .put("minBackoff", 0.5).put("maxBackoff", 0.5).put("scanInterval", 0.1).put("deliveryTimeout", 4)))
        .await();

    Files.createDirectories(dir.resolve("b"));
    Path confB = ChildPostino.write(dir.resolve("b"), ChildPostino.config(dir.resolve("b"))
        .put("hostname", "b.test.example")
        .put("roles", new JsonArray().add("delivery"))
        .put("cluster", cluster.copy().put("port", portB)));
    nodeB = ChildPostino.startUntil(ChildPostino.command(List.of(), "-cluster", "-conf", confB.toString()),
        "Postino b.test.example started");

    byte[] large = message("large", 600_000);
    byte[] small = message("small", 2_000);
    for (byte[] content : List.of(large, small)) {
      try (SmtpTestClient c = new SmtpTestClient(a.smtpPort())) {
        expect(c.read(), 220);
        expect(c.startData("alice@local.example", "bob@remote.example"), 354);
        c.sendBytes(content);
        c.send(".\r\n");
        expect(c.read(), 250);
      }
    }
    killed.get(60, TimeUnit.SECONDS);

    // another delivery node takes over what B held
    nodeC = new ClusterOptions(cluster.copy().put("port", freePort())).clusteredVertx().await();
    Postino.deploy(nodeC, ChildPostino.config(dir.resolve("c")).put("hostname", "c.test.example")
        .put("roles", new JsonArray().add("delivery"))).await();

    Set<String> delivered = new HashSet<>();
    while (delivered.size() < 2) {
      DeliveryEvent e = events.poll(60, TimeUnit.SECONDS);
      assertTrue(e != null, "not every message was delivered: " + delivered);
      if (e.event() == DeliveryEvent.Type.DELIVERED) {
        delivered.add(e.queueId());
      }
    }
    Set<String> subjects = new HashSet<>();
    SmtpSink.Received r;
    while ((r = sink.poll(0)) != null) {
      byte[] sent = new String(r.data(), StandardCharsets.US_ASCII).contains("Subject: large") ? large : small;
      assertArrayEquals(sent, Arrays.copyOfRange(r.data(), r.data().length - sent.length, r.data().length));
      subjects.add(sent == large ? "large" : "small");
    }
    assertEquals(Set.of("large", "small"), subjects);
  }

  /** The queue id in a {@code 250 2.0.0 Ok: queued as ID} reply. */
  private static String queueId(SmtpTestClient.Reply reply) {
    String text = reply.text();
    return text.substring(text.lastIndexOf(' ') + 1);
  }

  /** Sends {@code content} through a listener on {@code port}; returns its queue id. */
  private static String relay(int port, byte[] content) throws Exception {
    try (SmtpTestClient c = new SmtpTestClient(port)) {
      expect(c.read(), 220);
      expect(c.startData("alice@local.example", "bob@remote.example"), 354);
      c.sendBytes(content);
      c.send(".\r\n");
      return queueId(expect(c.read(), 250));
    }
  }

  private static String subject(byte[] data) {
    String text = new String(data, StandardCharsets.US_ASCII);
    int at = text.indexOf("Subject: ") + "Subject: ".length();
    return text.substring(at, text.indexOf('\r', at));
  }

  /**
   * The three-JVM cluster: listener-and-queue nodes A (this JVM) and L (a JVM of its own),
   * each with its own spool; delivery node D1 in a third JVM, killed with SIGKILL while it fetches
   * a large message of A, with jobs of both queues sent its way; mail accepted on both while no
   * delivery node runs; delivery node D2 started in a fourth JVM. Every message accepted on either
   * listener reaches the destination whole; only a message whose job D1 held when it died (deferred
   * because its node "left the cluster") may arrive twice.
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void twoListenerNodesLoseNothingWhenTheirDeliveryJvmIsKilled() throws Exception {
    int portA = freePort();
    int portL = freePort();
    int portD1 = freePort();
    int portD2 = freePort();
    JsonObject cluster = new JsonObject().put("name", "postino-test-" + UUID.randomUUID()).put("host", "127.0.0.1")
        .put("members", new JsonArray().add("127.0.0.1:" + portA).add("127.0.0.1:" + portL)
            .add("127.0.0.1:" + portD1).add("127.0.0.1:" + portD2));
    JsonObject queueRoles = new JsonObject()
        .put("roles", new JsonArray().add("listener").add("queue").add("resolver"))
        .put("dns", new JsonObject().put("servers", new JsonArray().add("127.0.0.1:9"))
            .put("routes", new JsonObject().put("remote.example", "127.0.0.1:" + sink.port())))
        .put("queue", new JsonObject().put("deliverAcrossCluster", true)
            .put("minBackoff", 0.5).put("maxBackoff", 0.5).put("scanInterval", 0.1).put("deliveryTimeout", 4));

    nodeA = new ClusterOptions(cluster.copy().put("port", portA)).clusteredVertx().await();
    nodeA.eventBus().<JsonObject>consumer("postino.delivery.events", m -> events.add(DeliveryEvent.fromJson(m.body())))
        .completion().await();
    AtomicInteger reads = new AtomicInteger();
    CompletableFuture<Void> killed = new CompletableFuture<>();
    ChildPostino[] d1 = new ChildPostino[1];
    nodeA.eventBus().addInboundInterceptor(ctx -> {
      if (ctx.message().address().startsWith("postino.spool.read.") && reads.incrementAndGet() == 5) {
        new Thread(() -> {
          try {
            d1[0].kill();
            killed.complete(null);
          } catch (Exception e) {
            killed.completeExceptionally(e);
          }
        }).start();
      }
      ctx.next();
    });
    Postino a = Postino.deploy(nodeA, ChildPostino.config(dir.resolve("a")).mergeIn(queueRoles.copy())
        .put("hostname", "a.test.example")).await();

    CompletableFuture<ChildPostino> startingL = CompletableFuture.supplyAsync(() -> child("l",
        ChildPostino.config(dir.resolve("l")).mergeIn(queueRoles.copy()).put("hostname", "l.test.example"), portL, cluster));
    d1[0] = child("d1", ChildPostino.config(dir.resolve("d1")).put("hostname", "d1.test.example")
        .put("roles", new JsonArray().add("delivery")), portD1, cluster);
    ChildPostino l = startingL.get(4, TimeUnit.MINUTES);

    // subject -> queue id (unique per listener node; the subject says which node took it)
    Map<String, String> accepted = new HashMap<>();
    Map<String, byte[]> contents = new HashMap<>();
    // L's first, so that D1 holds jobs of both queues when A's large message is half fetched
    for (String name : List.of("l-1", "l-2", "l-large", "a-1", "a-2", "a-3", "a-large")) {
      byte[] content = message(name, name.endsWith("large") ? 600_000 : 2_000);
      contents.put(name, content);
      accepted.put(name, relay(name.startsWith("a") ? a.smtpPort() : l.port(), content));
    }
    killed.get(60, TimeUnit.SECONDS);

    // accepted while no delivery node runs
    for (String name : List.of("a-after-1", "a-after-2", "l-after-1", "l-after-2")) {
      byte[] content = message(name, 2_000);
      contents.put(name, content);
      accepted.put(name, relay(name.startsWith("a") ? a.smtpPort() : l.port(), content));
    }
    child("d2", ChildPostino.config(dir.resolve("d2")).put("hostname", "d2.test.example")
        .put("roles", new JsonArray().add("delivery")), portD2, cluster);

    Map<String, Integer> arrived = new HashMap<>();
    while (arrived.size() < contents.size()) {
      SmtpSink.Received r = sink.poll(120_000);
      assertTrue(r != null, "not every message arrived: " + arrived.keySet() + " of " + contents.keySet());
      String name = subject(r.data());
      byte[] sent = contents.get(name);
      assertArrayEquals(sent, Arrays.copyOfRange(r.data(), r.data().length - sent.length, r.data().length), name);
      arrived.merge(name, 1, Integer::sum);
    }
    // each queue records the delivery after the sink has the message: wait for those records
    Set<String> recorded = new HashSet<>();
    Set<String> heldByTheDeadNode = new HashSet<>();
    while (!recorded.containsAll(accepted.values())) {
      DeliveryEvent e = events.poll(60, TimeUnit.SECONDS);
      assertTrue(e != null, "not every delivery was recorded: " + recorded + " of " + accepted);
      if (e.event() == DeliveryEvent.Type.DELIVERED) {
        recorded.add(e.queueId());
      } else if (e.event() == DeliveryEvent.Type.DEFERRED && e.result().text().contains("left the cluster")) {
        heldByTheDeadNode.add(e.queueId());
      }
    }
    SmtpSink.Received extra;
    while ((extra = sink.poll(0)) != null) {
      arrived.merge(subject(extra.data()), 1, Integer::sum);
    }
    assertTrue(heldByTheDeadNode.contains(accepted.get("a-large")), "a-large was not in flight on D1: " + arrived);
    for (Map.Entry<String, Integer> e : arrived.entrySet()) {
      assertTrue(e.getValue() == 1 || heldByTheDeadNode.contains(accepted.get(e.getKey())),
          e.getKey() + " arrived " + e.getValue() + " times but was not in flight when D1 died");
    }
    assertEquals(contents.keySet(), arrived.keySet());
  }

  /** Starts a clustered Postino in a JVM of its own, with its own directory and spool. */
  private ChildPostino child(String name, JsonObject config, int clusterPort, JsonObject cluster) {
    try {
      Files.createDirectories(dir.resolve(name));
      Path conf = ChildPostino.write(dir.resolve(name), config.put("cluster", cluster.copy().put("port", clusterPort)));
      List<String> command = ChildPostino.command(List.of(), "-cluster", "-conf", conf.toString());
      ChildPostino child = config.getJsonArray("roles").contains("listener")
          ? ChildPostino.start(command, Map.of())
          : ChildPostino.startUntil(command, "Postino " + name + ".test.example started");
      synchronized (children) {
        children.add(child);
      }
      return child;
    } catch (Exception e) {
      throw new IllegalStateException(name + " did not start", e);
    }
  }
}
