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
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
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
 * message A accepted reaches the destination as A accepted it.
 */
class ClusterChildJvmTest {

  @TempDir
  Path dir;
  final SmtpSink sink = new SmtpSink().start();
  final BlockingQueue<DeliveryEvent> events = new LinkedBlockingQueue<>();
  Vertx nodeA;
  Vertx nodeC;
  ChildPostino nodeB;

  @AfterEach
  void tearDown() throws Exception {
    if (nodeB != null) {
      nodeB.kill();
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
}
