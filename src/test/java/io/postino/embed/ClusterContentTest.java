package io.postino.embed;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.Postino;
import io.postino.bus.DeliveryEvent;
import io.postino.testing.ScriptedServer;
import io.postino.testing.SmtpSink;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Content over the bus: node A (listener, queue, resolver) and delivery nodes B and C, each a
 * clustered Vert.x with its own Hazelcast member in one JVM and, unlike {@link ClusterRolesTest},
 * each with its own spool directory: nothing is shared but the network. A delivery node reads a
 * message's content from A's spool read service ({@code postino.spool.read.<node>}), small content
 * in one request, large content chunk by chunk into a file of its own; what reaches the
 * destination is the octets A accepted. A delivery node that dies in the middle of a stream costs
 * a redelivery, never a message.
 */
class ClusterContentTest {

  private static final String SPOOL_READ = "postino.spool.read.";

  @TempDir
  Path dir;
  SmtpSink sink;
  TestCluster cluster;
  Vertx nodeA;
  Vertx nodeB;
  Vertx nodeC;
  final BlockingQueue<DeliveryEvent> events = new LinkedBlockingQueue<>();
  /** Spool read requests A has received. */
  final AtomicInteger reads = new AtomicInteger();


  @BeforeEach
  void setUp() throws Exception {
    sink = new SmtpSink().start();
    // A, B, then C
    cluster = new TestCluster(3);
  }

  @AfterEach
  void tearDown() {
    cluster.close();
    sink.close();
  }

  /** A node with a spool directory of its own. */
  private JsonObject node(String name, String... roles) {
    return TestCluster.node(dir.resolve(name), name, roles);
  }

  /** @param deliveryTimeout seconds until a job without a reply is given up (the dead node's) */
  private Postino startNodeA(int destinationPort, Runnable onRead, int deliveryTimeout) {
    nodeA = cluster.join();
    nodeA.eventBus().<JsonObject>consumer("postino.delivery.events", m -> events.add(DeliveryEvent.fromJson(m.body())))
        .completion().await();
    nodeA.eventBus().addInboundInterceptor(ctx -> {
      if (ctx.message().address().startsWith(SPOOL_READ)) {
        reads.incrementAndGet();
        onRead.run();
      }
      ctx.next();
    });
    return Postino.deploy(nodeA, node("a", "listener", "queue", "resolver")
        .put("smtp", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("localDomains", new JsonArray().add("local.example"))
        .put("dns", new JsonObject().put("servers", new JsonArray().add("127.0.0.1:9"))
            .put("routes", new JsonObject().put("remote.example", "127.0.0.1:" + destinationPort)))
        .put("queue", new JsonObject().put("deliverAcrossCluster", true)
            .put("minBackoff", 0.5).put("maxBackoff", 0.5).put("scanInterval", 0.1).put("deliveryTimeout", deliveryTimeout)))
        .await();
  }

  private Vertx joinWithDeliveryRole(String name) {
    Vertx node = cluster.join();
    Postino.deploy(node, node(name, "delivery")).await();
    return node;
  }

  /** Sends {@code content} (CRLF lines, none starting with a dot) through A with BODY=8BITMIME. */
  private static void sendMail(int port, byte[] content) throws Exception {
    try (SmtpTestClient c = new SmtpTestClient(port)) {
      expect(c.read(), 220);
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<alice@local.example> BODY=8BITMIME"), 250);
      expect(c.command("RCPT TO:<bob@remote.example>"), 250);
      expect(c.command("DATA"), 354);
      c.sendBytes(content);
      c.send(".\r\n");
      expect(c.read(), 250);
    }
  }

  /** A message of about {@code size} octets: a Subject, then lines of random printable ASCII. */
  private static byte[] message(String subject, int size, long seed) {
    Random random = new Random(seed);
    // Date and Message-ID present: A adds no field, and what it spools is what was sent
    StringBuilder sb = new StringBuilder("Date: Sat, 05 Dec 2026 10:00:00 +0000\r\nMessage-ID: <")
        .append(subject).append("@test.example>\r\nSubject: ").append(subject).append("\r\n\r\n");
    while (sb.length() < size) {
      // no line starts with a dot, so none needs stuffing
      sb.append('x');
      for (int i = 0; i < 75; i++) {
        sb.append((char) ('!' + random.nextInt(94)));
      }
      sb.append("\r\n");
    }
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** What the destination got is the trace field A added, then the octets sent, unchanged. */
  private static void assertSameContent(byte[] sent, byte[] received) {
    String head = new String(received, 0, Math.min(received.length, 9), StandardCharsets.US_ASCII);
    assertEquals("Received:", head);
    int at = received.length - sent.length;
    assertTrue(at > 0 && at < 1000, "received " + received.length + " octets for " + sent.length);
    assertArrayEquals(sent, Arrays.copyOfRange(received, at, received.length),
        () -> new String(received, 0, Math.min(received.length, 600), StandardCharsets.US_ASCII));
  }

  private DeliveryEvent nextEvent(DeliveryEvent.Type type) throws InterruptedException {
    while (true) {
      DeliveryEvent e = events.poll(30, TimeUnit.SECONDS);
      if (e == null) {
        throw new AssertionError("no " + type + " event within 30 s");
      }
      if (e.event() == type) {
        return e;
      }
    }
  }

  private static String subjectOf(byte[] data) {
    String text = new String(data, 0, Math.min(data.length, 2000), StandardCharsets.US_ASCII);
    int at = text.indexOf("Subject: ");
    return text.substring(at + 9, text.indexOf("\r\n", at));
  }

  /** The next line, or null when the client is gone (a pooled connection closed when its node stops). */
  private static String lineOrReset(ScriptedServer.Peer peer) throws Exception {
    try {
      return peer.line();
    } catch (java.net.SocketException e) {
      return null;
    }
  }

  private long filesUnder(Path root) throws Exception {
    if (!Files.exists(root)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void smallAndLargeMessagesGoFromTheOwnersSpoolOverTheBus() throws Exception {
    Postino a = startNodeA(sink.port(), () -> { }, 60);
    nodeB = joinWithDeliveryRole("b");

    byte[] small = message("small", 2_000, 1);
    sendMail(a.smtpPort(), small);
    SmtpSink.Received first = sink.next();
    assertEquals("b.test.example", first.helo());
    assertSameContent(small, first.data());
    nextEvent(DeliveryEvent.Type.DELIVERED);
    // one request brought it: small content is held in memory, no file
    assertEquals(1, reads.get());

    byte[] large = message("large", 1_100_000, 2);
    sendMail(a.smtpPort(), large);
    SmtpSink.Received second = sink.next();
    assertEquals("b.test.example", second.helo());
    assertSameContent(large, second.data());
    nextEvent(DeliveryEvent.Type.DELIVERED);
    // in 64 KiB chunks, one request each
    assertTrue(reads.get() - 1 >= 1_100_000 / 65_536, "reads: " + reads.get());

    // B's spool directory holds none of it: the fetched copy is gone with its job
    assertEquals(0, filesUnder(dir.resolve("b")), "files left on B");
  }

  @Test
  void eightBitContentFetchedFromTheOwnerIsConvertedForASevenBitHost() throws Exception {
    BlockingQueue<String> taken = new LinkedBlockingQueue<>();
    try (ScriptedServer sevenBit = new ScriptedServer(peer -> {
      // no 8BITMIME: content with 8-bit octets must come converted
      peer.send("220 seven.test ESMTP\r\n");
      peer.expect("EHLO");
      peer.send("250-seven.test\r\n250 SIZE 20000000\r\n");
      String line;
      while ((line = lineOrReset(peer)) != null) {
        String verb = line.length() < 4 ? line : line.substring(0, 4).toUpperCase();
        switch (verb) {
          case "QUIT" -> {
            peer.send("221 bye\r\n");
            return;
          }
          case "DATA" -> {
            peer.send("354 go ahead\r\n");
            taken.add(peer.data());
            peer.send("250 2.0.0 Ok: queued\r\n");
          }
          default -> peer.send("250 ok\r\n");
        }
      }
    })) {
      Postino a = startNodeA(sevenBit.port(), () -> { }, 60);
      nodeB = joinWithDeliveryRole("b");

      for (int size : new int[] {3_000, 300_000}) {
        StringBuilder body = new StringBuilder();
        while (body.length() < size) {
          body.append("Voil\u00e0 mon r\u00e9sum\u00e9, \u00e0 bient\u00f4t. ").append(body.length()).append("\r\n");
        }
        byte[] content = ("Date: Sat, 05 Dec 2026 10:00:00 +0000\r\nMessage-ID: <" + size + "@test.example>\r\n"
            + "Subject: eight bits " + size + "\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body)
            .getBytes(StandardCharsets.UTF_8);
        int readsBefore = reads.get();
        sendMail(a.smtpPort(), content);
        String data = taken.poll(30, TimeUnit.SECONDS);
        assertTrue(data != null, "nothing delivered");
        assertTrue(data.chars().allMatch(ch -> ch < 128), "8-bit octets went to a 7-bit host");
        assertTrue(data.contains("Content-Transfer-Encoding: quoted-printable"), data.substring(0, 500));
        assertTrue(data.contains("Voil=C3=A0 mon r=C3=A9sum=C3=A9"), data.substring(0, 500));
        assertTrue(reads.get() > readsBefore, "the content came over the bus");
        nextEvent(DeliveryEvent.Type.DELIVERED);
      }
      sevenBit.assertNoErrors();
    }
    assertEquals(0, filesUnder(dir.resolve("b")), "files left on B");
  }

  @Test
  void aDeliveryNodeDyingInTheMiddleOfAStreamCostsARedeliveryNotAMessage() throws Exception {
    // B goes away while it is reading the first large message, its fifth chunk on the way
    AtomicInteger seen = new AtomicInteger();
    CompletableFuture<Void> bGone = new CompletableFuture<>();
    Postino a = startNodeA(sink.port(), () -> {
      if (seen.incrementAndGet() == 5) {
        nodeB.close().onComplete(ar -> bGone.complete(null));
      }
    }, 4);
    nodeB = joinWithDeliveryRole("b");

    Map<String, byte[]> sent = new HashMap<>();
    for (int i = 0; i < 3; i++) {
      byte[] content = message("m" + i, i == 2 ? 1_000 : 700_000, 10 + i);
      sent.put("m" + i, content);
      sendMail(a.smtpPort(), content);
    }
    bGone.get(30, TimeUnit.SECONDS);
    nodeB = null;
    // a delivery node to take over
    nodeC = joinWithDeliveryRole("c");
    // every message accepted reaches the destination, one perhaps twice (at-least-once)
    Set<String> queueIds = new HashSet<>();
    while (queueIds.size() < 3) {
      queueIds.add(nextEvent(DeliveryEvent.Type.DELIVERED).queueId());
    }
    Set<String> delivered = new HashSet<>();
    SmtpSink.Received r;
    while ((r = sink.poll(0)) != null) {
      String subject = subjectOf(r.data());
      assertSameContent(sent.get(subject), r.data());
      delivered.add(subject);
    }
    assertEquals(sent.keySet(), delivered);
    assertEquals(0, filesUnder(dir.resolve("c")), "files left on C");
  }
}
