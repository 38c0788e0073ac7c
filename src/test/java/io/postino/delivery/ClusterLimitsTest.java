package io.postino.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.bus.Addresses;
import io.postino.bus.DeliveryJob;
import io.postino.bus.DeliveryReply;
import io.postino.bus.RecipientResult;
import io.postino.dns.MxResolverOptions;
import io.postino.dns.MxResolverVerticle;
import io.postino.smtp.MailAddress;
import io.postino.smtp.MailParameters;
import io.postino.smtp.RcptParameters;
import io.postino.testing.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Limits per destination that hold for a cluster: up to three clustered Vert.x nodes in this
 * JVM (Hazelcast, a {@link TestCluster} of their own per test), each with its own resolver and
 * delivery verticle under its own address prefix (so that a test chooses which node delivers), all
 * sending to one {@link CountingDestination}. They share the content directory, as nodes on one host do.
 */
class ClusterLimitsTest {

  static final String DOMAIN = "limits.example";

  @TempDir
  Path dir;
  CountingDestination destination;
  TestCluster cluster;
  final List<Vertx> nodes = new ArrayList<>();
  /** The deployment of each node's delivery verticle. */
  final List<String> deliveries = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    destination = new CountingDestination();
    cluster = new TestCluster(3);
  }

  @AfterEach
  void tearDown() throws IOException {
    cluster.close();
    destination.close();
  }

  private OutboundOptions options() {
    return new OutboundOptions().setConnectTimeout(Duration.ofSeconds(5)).setCommandTimeout(Duration.ofSeconds(30))
        .setDataTimeout(Duration.ofSeconds(30)).setConnectionIdleTimeout(Duration.ofMillis(300));
  }

  /** Starts nodes n1, n2... each delivering with {@code options}. */
  private void startNodes(int count, OutboundOptions options) {
    for (int i = 1; i <= count; i++) {
      Vertx node = cluster.join();
      nodes.add(node);
      Addresses addresses = new Addresses("n" + i);
      node.deployVerticle(new MxResolverVerticle(addresses, new MxResolverOptions().setServers(List.of("127.0.0.1:9"))
          .setRoutes(Map.of(DOMAIN, List.of("127.0.0.1:" + destination.port()))))).await();
      deliveries.add(node.deployVerticle(new DeliveryVerticle(addresses, options, "n" + i + ".test", dir)).await());
    }
  }

  private DeliveryJob job(String queueId) throws IOException {
    byte[] content = ("Subject: " + queueId + "\r\n\r\nhello\r\n").getBytes(StandardCharsets.US_ASCII);
    Path file = dir.resolve(queueId);
    Files.write(file, content);
    return new DeliveryJob(queueId, DOMAIN, new MailAddress("alice", "example.org"), MailParameters.NONE,
        List.of(new DeliveryJob.Recipient(new MailAddress("bob", DOMAIN), RcptParameters.NONE)),
        new DeliveryJob.Content(file.toString(), 0, content.length));
  }

  /** Submits a job to node {@code n} (from 1), due back within {@code seconds}. */
  private Future<RecipientResult> submit(int n, String queueId, int seconds) throws IOException {
    DeliveryOptions deadline = new DeliveryOptions().setSendTimeout(seconds * 1000L + 5000)
        .addHeader(DeliveryJob.DEADLINE_HEADER, Long.toString(System.currentTimeMillis() + seconds * 1000L));
    return nodes.get(n - 1).eventBus().<JsonObject>request("n" + n + ".delivery.submit", job(queueId).toJson(), deadline)
        .map(reply -> DeliveryReply.fromJson(reply.body()).results().get(0));
  }

  private static List<RecipientResult> all(List<Future<RecipientResult>> results) {
    return Future.all(results).await().<RecipientResult>list();
  }

  @Test
  void threeNodesNeverOpenMoreConnectionsThanTheHostLimitBetweenThem() throws Exception {
    // every greeting waits until 6 connections are open, or a moment: without a limit shared by
    // the nodes, 3 x 5 connections would be open together
    destination.holdGreetings(6, 300);
    startNodes(3, options().setMaxConnectionsPerHost(5));

    List<Future<RecipientResult>> results = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      results.add(submit(i % 3 + 1, "Q" + i, 60));
    }
    for (RecipientResult r : all(results)) {
      assertEquals(RecipientResult.Outcome.DELIVERED, r.outcome(), r.toString());
    }
    assertEquals(30, destination.delivered());
    assertTrue(destination.maxOpen() <= 5, "the destination saw " + destination.maxOpen() + " connections at once");
    assertTrue(destination.maxOpen() >= 2, "the nodes delivered side by side: " + destination.maxOpen());
    destination.assertNoErrors();
  }

  @Test
  void theConnectionPlacesOfANodeThatDiesAreFreedForTheOthers() throws Exception {
    // node 3 takes all 5 places with connections that are never greeted
    destination.stallFirst(5);
    startNodes(3, options().setMaxConnectionsPerHost(5));
    List<Future<RecipientResult>> stalled = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      stalled.add(submit(3, "S" + i, 60));
    }
    await("node 3 holding 5 connections", () -> destination.open() == 5);
    List<Future<RecipientResult>> results = List.of(submit(1, "A", 60), submit(2, "B", 60));

    // node 3 dies: its Hazelcast member is gone at once, then its sockets
    Vertx dead = nodes.get(2);
    ((HazelcastClusterManager) ((VertxInternal) dead).clusterManager()).getHazelcastInstance().getLifecycleService()
        .terminate();
    dead.close().toCompletionStage().toCompletableFuture().completeOnTimeout(null, 20, TimeUnit.SECONDS).join();
    nodes.remove(dead);

    for (RecipientResult r : all(results)) {
      assertEquals(RecipientResult.Outcome.DELIVERED, r.outcome(), r.toString());
    }
    assertEquals(2, destination.delivered());
    assertTrue(destination.maxOpen() <= 5, "the destination saw " + destination.maxOpen() + " connections at once");
    destination.assertNoErrors();
  }

  @Test
  void anIdleSessionOnAnotherNodeIsClosedForADeliveryThatWaits() throws Exception {
    // one place, kept by node 1's idle session for a minute unless node 2 asks for it
    startNodes(2, options().setMaxConnectionsPerHost(1).setConnectionIdleTimeout(Duration.ofSeconds(60)));
    assertEquals(RecipientResult.Outcome.DELIVERED, submit(1, "I1", 30).await().outcome());
    assertEquals(1, destination.open(), "node 1's session is parked");

    RecipientResult second = submit(2, "I2", 15).await();
    assertEquals(RecipientResult.Outcome.DELIVERED, second.outcome(), second.toString());
    assertEquals(2, destination.connections());
    assertEquals(1, destination.maxOpen());
    destination.assertNoErrors();
  }

  @Test
  void aMessageRateHoldsForTheWholeCluster() throws Exception {
    startNodes(3, options().setLimits(new DestinationLimits()
        .setDomains(Map.of(DOMAIN, new DestinationLimits.Domain(0, 3, 0)))));

    // 3 a minute: each node alone would send its 2; together the cluster sends 3, and the turn
    // of the others would come after their jobs' deadline: they are deferred, not bounced
    List<Future<RecipientResult>> results = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      // the content cut-off is half the job's time away: 10 s, before the next turn in 20 s
      results.add(submit(i % 3 + 1, "R" + i, 20));
    }
    List<RecipientResult> done = all(results);
    assertEquals(3, done.stream().filter(r -> r.outcome() == RecipientResult.Outcome.DELIVERED).count(), done.toString());
    List<RecipientResult> deferred = done.stream().filter(r -> r.outcome() != RecipientResult.Outcome.DELIVERED).toList();
    assertEquals(3, deferred.size());
    for (RecipientResult r : deferred) {
      assertEquals(RecipientResult.Outcome.TRANSIENT, r.outcome(), r.toString());
      assertEquals("4.7.0", r.status(), r.toString());
      assertTrue(r.text().contains("rate limit"), r.text());
    }
    assertEquals(3, destination.delivered());
  }

  @Test
  void aDestinationThatSaysSlowDownSlowsEveryNode() throws Exception {
    // 4 deliveries at once to the domain, until the first connection is told "too many"; every
    // later greeting waits until 4 connections are open, or a moment
    destination.greeting(n -> n == 0 ? "421 4.7.0 Too many connections from your network, slow down"
        : "220 counting.test ready").holdGreetings(4, 300);
    startNodes(3, options().setMaxMessagesPerConnection(1)
        .setLimits(new DestinationLimits().setDomains(Map.of(DOMAIN, new DestinationLimits.Domain(4, 0, 0)))));

    RecipientResult first = submit(1, "T0", 30).await();
    assertEquals(RecipientResult.Outcome.TRANSIENT, first.outcome(), first.toString());
    assertEquals(421, first.code(), first.toString());

    // nodes 2 and 3, which saw nothing, now deliver at most 2 at once (4 halved)
    List<Future<RecipientResult>> results = new ArrayList<>();
    for (int i = 1; i <= 12; i++) {
      results.add(submit(i % 2 + 2, "T" + i, 60));
    }
    for (RecipientResult r : all(results)) {
      assertEquals(RecipientResult.Outcome.DELIVERED, r.outcome(), r.toString());
    }
    assertEquals(12, destination.delivered());
    assertTrue(destination.maxOpen() <= 2, "the destination saw " + destination.maxOpen() + " connections at once");
    destination.assertNoErrors();
  }

  @Test
  void oneNodeReusesItsPlacesWithoutEverExceedingTheLimit() throws Exception {
    // a connection per message: each delivery needs a place of the domain and one of the host
    startNodes(1, options().setMaxConnectionsPerDomain(2).setMaxMessagesPerConnection(1));

    List<Future<RecipientResult>> results = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      results.add(submit(1, "P" + i, 120));
    }
    for (RecipientResult r : all(results)) {
      assertEquals(RecipientResult.Outcome.DELIVERED, r.outcome(), r.toString());
    }
    assertEquals(40, destination.delivered());
    assertTrue(destination.maxOpen() <= 2, "the destination saw " + destination.maxOpen() + " connections at once");
    // each message taking its two places from the cluster would be 80 locks (and a second's
    // quarantine for each): the node kept its places from one delivery to the next
    long taken = permits(1).taken();
    assertTrue(taken < 40, "places taken from the cluster for 40 messages: " + taken);
    destination.assertNoErrors();
  }

  @Test
  void anotherNodeGetsThePlacesOnceTheFirstStopsDelivering() throws Exception {
    startNodes(2, options().setMaxConnectionsPerDomain(2));
    deliverTwoAtOnce(1);

    // node 1 keeps its two places for a moment, then gives them back: node 2 holds both
    takeEveryPlace(2, 2);
    destination.assertNoErrors();
  }

  @Test
  void undeployingTheDeliveryVerticleGivesItsParkedPlacesBack() throws Exception {
    startNodes(2, options().setMaxConnectionsPerDomain(2));
    // node 1 would keep its places a minute for its next deliveries: only stopping frees them in time
    permits(1).parkFor(60_000);
    deliverTwoAtOnce(1);

    nodes.get(0).undeploy(deliveries.get(0)).await();
    takeEveryPlace(2, 2);
  }

  @Test
  void aBusyNodeGivesItsPlacesBackInTurnToANodeThatWaits() throws Exception {
    // a connection per message, so that the destination counts deliveries at once
    startNodes(2, options().setMaxConnectionsPerDomain(2).setMaxMessagesPerConnection(1));
    // node 1 gives a place back after holding it a fifth of a second (up to as much again)
    permits(1).holdFor(200);
    // each delivery takes a tenth of a second at least: node 1 has seconds of work for its 2 places
    destination.holdGreetings(3, 100);
    List<Future<RecipientResult>> busy = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      busy.add(submit(1, "B" + i, 120));
    }
    await("node 1 delivering", () -> destination.delivered() > 0);

    RecipientResult waiting = submit(2, "W", 120).await();
    assertEquals(RecipientResult.Outcome.DELIVERED, waiting.outcome(), waiting.toString());
    // node 1's waiting deliveries would take its places again before node 2 asks, to the end
    long pending = busy.stream().filter(f -> !f.isComplete()).count();
    assertTrue(pending >= 10, "node 2 got a place when node 1 had only " + pending + " messages left");
    for (RecipientResult r : all(busy)) {
      assertEquals(RecipientResult.Outcome.DELIVERED, r.outcome(), r.toString());
    }
    assertTrue(destination.maxOpen() <= 2, "the destination saw " + destination.maxOpen() + " connections at once");
    destination.assertNoErrors();
  }

  private LockSlotPermits permits(int n) {
    return (LockSlotPermits) SharedLimits.of(nodes.get(n - 1)).permits();
  }

  /** Two messages through node {@code n}, greeted once both connections are open: it holds both places. */
  private void deliverTwoAtOnce(int n) throws IOException {
    destination.holdGreetings(2, 10_000);
    for (RecipientResult r : all(List.of(submit(n, "F1", 60), submit(n, "F2", 60)))) {
      assertEquals(RecipientResult.Outcome.DELIVERED, r.outcome(), r.toString());
    }
    assertEquals(2, destination.maxOpen());
    destination.holdGreetings(1, 0);
  }

  /** Node {@code n} holds all {@code max} places of the domain at once, waiting 20 s at most for them. */
  private void takeEveryPlace(int n, int max) {
    SharedLimits limits = SharedLimits.of(nodes.get(n - 1));
    long giveUpAt = System.currentTimeMillis() + 20_000;
    List<SlotPermits.Permit> held = new ArrayList<>();
    for (int i = 0; i < max; i++) {
      held.add(limits.acquire(SharedLimits.DOMAIN_PLACES + DOMAIN, max, giveUpAt, null).await());
    }
    held.forEach(SlotPermits.Permit::release);
  }

  /** Waits (on a Vert.x timer, never sleeping the test on a fixed delay) until {@code condition} holds, for 20 s at most. */
  private void await(String what, java.util.function.BooleanSupplier condition) {
    long until = System.currentTimeMillis() + 20_000;
    Vertx vertx = nodes.get(0);
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > until) {
        throw new AssertionError("not within 20 s: " + what);
      }
      io.vertx.core.Promise<Void> tick = io.vertx.core.Promise.promise();
      vertx.setTimer(20, id -> tick.complete());
      tick.future().await();
    }
  }
}
