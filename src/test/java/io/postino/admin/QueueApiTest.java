package io.postino.admin;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.ClusterOptions;
import io.postino.Postino;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API of the queue over HTTP: its errors, the content streamed as spooled, and, with
 * two Postinos sharing one event bus (two queue nodes, the admin port on one), in one Vert.x and
 * in a Hazelcast cluster, every node's queue listed, counted and managed from one.
 */
class QueueApiTest {

  @TempDir
  Path dir;

  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http = HttpClient.newHttpClient();
  private String token;
  private int adminPort;

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /** A node on the shared Vert.x: its own spool and hostname, remote mail deferred (dead route). */
  private Postino node(String name, boolean admin) {
    return node(vertx, name, admin);
  }

  private Postino node(Vertx vertx, String name, boolean admin) {
    TestServer config = new TestServer(dir.resolve(name));
    config.config.put("hostname", name + ".test.example");
    if (admin) {
      config.config.put("admin", new JsonObject().put("enabled", true).put("port", 0)
          .put("tokenFile", dir.resolve("admin.token").toString()));
    }
    Postino postino = Postino.deploy(vertx, config.config).await();
    if (admin) {
      adminPort = postino.adminPort();
      token = readToken();
    }
    return postino;
  }

  private String readToken() {
    try {
      return Files.readString(dir.resolve("admin.token")).trim();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String send(Postino node, String subject) throws Exception {
    try (SmtpTestClient c = new SmtpTestClient(node.smtpPort())) {
      expect(c.read(), 220);
      expect(c.startData("alice@b.example", "bob@remote.example"), 354);
      c.send("Subject: " + subject + "\r\n\r\nbody of " + subject + "\r\n.\r\n");
      String text = expect(c.read(), 250).text();
      return text.substring(text.indexOf("queued as ") + 10).trim();
    }
  }

  private HttpResponse<byte[]> call(String method, String path, boolean withToken) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(20));
    if (withToken) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private JsonObject json(String method, String path, int status) throws Exception {
    HttpResponse<byte[]> r = call(method, path, true);
    assertEquals(status, r.statusCode(), new String(r.body()));
    assertEquals("application/json", r.headers().firstValue("content-type").orElse(""));
    return new JsonObject(new String(r.body()));
  }

  private JsonArray listed() throws Exception {
    return json("GET", "/api/queue", 200).getJsonArray("messages");
  }

  @Test
  void unknownIdsGet404WithAJsonErrorAndEverythingNeedsTheToken() throws Exception {
    node("a", true);
    assertEquals(401, call("GET", "/api/queue", false).statusCode());
    assertEquals(401, call("GET", "/api/status", false).statusCode());
    assertEquals(401, call("POST", "/api/queue/flush", false).statusCode());
    assertEquals("no message NOSUCH1 in the queue", json("GET", "/api/queue/NOSUCH1", 404).getString("error"));
    assertEquals("no message NOSUCH1 in the queue", json("POST", "/api/queue/NOSUCH1/hold", 404).getString("error"));
    assertEquals("no message NOSUCH1 on hold", json("POST", "/api/queue/NOSUCH1/release", 404).getString("error"));
    assertEquals("no message NOSUCH1 in the queue", json("DELETE", "/api/queue/NOSUCH1", 404).getString("error"));
    assertTrue(json("GET", "/api/queue/not-an-id", 400).getString("error").contains("not-an-id"));
    assertEquals(400, call("POST", "/api/queue/delete", true).statusCode());
  }

  @Test
  void theContentIsStreamedAsSpooledAndTheDetailsHaveEachRecipientsHistory() throws Exception {
    Postino a = node("a", true);
    String id = send(a, "streamed");
    awaitDeferred(1);
    // the same from Java, for an embedder
    assertEquals(id, a.queue().list().await().getJsonObject(0).getString("id"));
    assertTrue(a.queue().show(id).await().getString("headers").contains("Subject: streamed"));
    assertEquals(null, a.queue().show("NOSUCH1").await());

    JsonObject shown = json("GET", "/api/queue/" + id, 200);
    assertEquals("a.test.example", shown.getString("node"));
    JsonObject history = shown.getJsonArray("recipients").getJsonObject(0).getJsonArray("history").getJsonObject(0);
    assertEquals(451, history.getJsonObject("result").getInteger("code"));
    assertTrue(history.getString("at").startsWith("20"), history.encode());
    assertTrue(shown.getString("headers").contains("Subject: streamed\r\n"), shown.getString("headers"));

    HttpResponse<byte[]> content = call("GET", "/api/queue/" + id + "?body=true", true);
    assertEquals(200, content.statusCode());
    assertEquals("message/rfc822", content.headers().firstValue("content-type").orElse(""));
    Path file = dir.resolve("a/spool/incoming").resolve(id);
    long size = shown.getLong("size");
    byte[] spooled;
    try (FileChannel ch = FileChannel.open(file)) {
      spooled = new byte[(int) size];
      ch.read(java.nio.ByteBuffer.wrap(spooled), ch.size() - size);
    }
    assertArrayEquals(spooled, content.body());
    assertTrue(new String(content.body()).endsWith("body of streamed\r\n"));
  }

  private void awaitDeferred(int messages) {
    TestServer.await(messages + " deferred", () -> {
      try {
        JsonArray m = listed();
        return m.size() == messages && m.stream().allMatch(o -> ((JsonObject) o).getString("state").equals("deferred"));
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
  }

  @Test
  void theQueuesOfAHazelcastClusterAreListedAndManagedFromAnyNode() throws Exception {
    // a cluster of its own, so that no other test run on this machine can join it
    JsonObject cluster = new JsonObject().put("name", "postino-test-" + java.util.UUID.randomUUID());
    Vertx nodeA = new ClusterOptions(cluster).clusteredVertx().await();
    Vertx nodeB = new ClusterOptions(cluster).clusteredVertx().await();
    try {
      Postino a = node(nodeA, "a", true);
      Postino b = node(nodeB, "b", false);
      send(a, "to a");
      String onB = send(b, "to b");
      awaitDeferred(2);
      JsonObject held = json("POST", "/api/queue/" + onB + "/hold", 200);
      assertEquals("b.test.example", held.getString("node"));
      assertTrue(Files.exists(dir.resolve("b/spool/hold").resolve(onB)));
      JsonObject status = json("GET", "/api/status", 200);
      assertTrue(status.getBoolean("clustered"));
      assertEquals(2, status.getJsonArray("queueNodes").size());
      // a member without the queue role is a member all the same
      Postino.deploy(nodeB, new JsonObject().put("hostname", "d.test.example").put("roles", new JsonArray().add("delivery"))
          .put("spool", new JsonObject().put("directory", dir.resolve("b/spool").toString()))).await();
      TestServer.await("three members", () -> {
        try {
          return json("GET", "/api/status", 200).getJsonArray("members").size() == 3;
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
      status = json("GET", "/api/status", 200);
      JsonObject delivery = status.getJsonArray("members").getJsonObject(2);
      assertEquals("d.test.example", delivery.getString("hostname"));
      assertEquals(new JsonArray().add("delivery"), delivery.getJsonArray("roles"));
      assertEquals(Postino.version(), delivery.getString("version"));
      assertEquals(2, status.getJsonArray("queueNodes").size());
      assertEquals(1, status.getJsonObject("queue").getInteger("hold"));
      // B leaves the cluster
      nodeB.close().await();
      nodeB = null;
      assertEquals(1, listed().size());
      assertEquals(1, json("GET", "/api/status", 200).getJsonArray("members").size());
    } finally {
      if (nodeB != null) {
        nodeB.close().await();
      }
      nodeA.close().await();
    }
  }

  @Test
  void everyQueueNodeIsListedCountedAndManagedFromOnesAdminPort() throws Exception {
    Postino a = node("a", true);
    Postino b = node("b", false);
    String onA = send(a, "to a");
    String onB = send(b, "to b");
    awaitDeferred(2);
    JsonObject listing = json("GET", "/api/queue", 200);
    Set<String> tagged = new HashSet<>();
    listing.getJsonArray("messages").forEach(o -> tagged.add(((JsonObject) o).getString("id") + "@"
        + ((JsonObject) o).getString("node")));
    assertEquals(Set.of(onA + "@a.test.example", onB + "@b.test.example"), tagged);
    assertEquals(2, listing.getJsonArray("nodes").size());

    JsonObject held = json("POST", "/api/queue/" + onB + "/hold", 200);
    assertEquals("b.test.example", held.getString("node"));
    assertTrue(Files.exists(dir.resolve("b/spool/hold").resolve(onB)));
    assertEquals(1, json("GET", "/api/queue?hold", 200).getJsonArray("messages").size());

    JsonObject status = json("GET", "/api/status", 200);
    assertEquals(2, status.getJsonObject("queue").getInteger("total"));
    assertEquals(1, status.getJsonObject("queue").getInteger("hold"));
    assertEquals(2, status.getJsonArray("queueNodes").size());
    assertEquals(2, status.getJsonArray("members").size());
    assertEquals("a.test.example", status.getString("hostname"));
    assertEquals(Postino.version(), status.getString("version"));

    // without ?all, a request that lost its filters does not empty the queue
    assertTrue(json("POST", "/api/queue/delete?deferred", 400).getString("error").contains("say ?all"));
    JsonObject deleted = json("POST", "/api/queue/delete?deferred=all", 200);
    assertEquals(1, deleted.getInteger("deleted"));
    assertEquals(onB, listed().getJsonObject(0).getString("id"));

    // a node that leaves leaves the listing; one that died without leaving (its entry still in
    // the map until it expires) is left out
    b.close().await();
    assertEquals(1, json("GET", "/api/queue", 200).getJsonArray("nodes").size());
    vertx.sharedData().<String, JsonObject>getAsyncMap("postino.admin.members")
        .compose(m -> m.put("dead", new JsonObject().put("id", "dead").put("hostname", "gone.example")
            .put("roles", new JsonArray().add("queue")))).await();
    JsonObject afterDeath = json("GET", "/api/queue", 200);
    assertEquals(1, afterDeath.getJsonArray("nodes").size());
    assertEquals("a.test.example", afterDeath.getJsonArray("nodes").getJsonObject(0).getString("node"));
  }
}
