package io.postino.monitor;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.Postino;
import io.postino.PostinoOptions;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} scraped over HTTP after a real SMTP session that is refused in several ways,
 * has a message accepted and delivered: each counter moved by what happened. The server runs in a
 * plain {@code Vertx.vertx()}, built without metrics options.
 */
class MetricsEndpointTest {

  @TempDir
  Path dir;

  private TestServer server;

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
  }

  private TestServer start() {
    server = new TestServer(dir).untrusted();
    server.config.put("localUsers", new JsonObject().put("local.example", new JsonArray().add("bob")));
    server.config.put("admin", new JsonObject().put("enabled", true).put("port", 0)
        .put("tokenFile", dir.resolve("admin.token").toString()));
    return server.start();
  }

  @Test
  void countersMoveWithWhatASessionSentWasRefusedAndDelivered() throws Exception {
    start();
    int admin = server.postino.adminPort();
    String before = AdminHttp.get(admin, "/metrics").body();
    assertEquals(0.0, AdminHttp.sample(before, "postino_messages_accepted_total", Map.of("listener", "smtp")));

    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<a@remote.example> SIZE=999999999999"), 552);
      expect(c.command("MAIL FROM:<a@remote.example>"), 250);
      expect(c.command("RCPT TO:<alice@local.example>"), 550);
      expect(c.command("RCPT TO:<x@elsewhere.example>"), 554);
      expect(c.command("RCPT TO:<bob@local.example>"), 250);
      expect(c.command("DATA"), 354);
      expect(c.send("Subject: counted\r\n\r\nhello\r\n.\r\n").read(), 250);
      expect(c.command("QUIT"), 221);
    }
    server.nextEventFor("bob@local.example");

    AdminHttp.Answer answer = AdminHttp.get(admin, "/metrics");
    assertEquals(200, answer.status());
    assertTrue(answer.contentType().startsWith("text/plain"), answer.contentType());
    String text = answer.body();
    Map<String, String> smtp = Map.of("listener", "smtp");
    assertEquals(1.0, AdminHttp.sample(text, "postino_messages_accepted_total", smtp));
    assertEquals(1.0, AdminHttp.sample(text, "postino_messages_refused_total", Map.of("reason", "size")));
    assertEquals(1.0, AdminHttp.sample(text, "postino_messages_refused_total", Map.of("reason", "unknown_user")));
    assertEquals(1.0, AdminHttp.sample(text, "postino_messages_refused_total", Map.of("reason", "relay")));
    assertEquals(0.0, AdminHttp.sample(text, "postino_messages_refused_total", Map.of("reason", "policy")));
    assertEquals(1.0, AdminHttp.sample(text, "postino_sessions_opened_total", smtp));
    assertTrue(AdminHttp.sample(text, "postino_received_bytes_total", smtp) >= "Subject: counted\r\n\r\nhello\r\n".length(),
        text);
    assertEquals(1.0, AdminHttp.sample(text, "postino_deliveries_total",
        Map.of("outcome", "sent", "domain", "local.example")));
    assertEquals(1.0, AdminHttp.sample(text, "postino_delivery_latency_seconds_count", Map.of()));
    assertTrue(AdminHttp.sample(text, "postino_spool_commit_seconds_count", Map.of()) >= 1, text);
    assertTrue(AdminHttp.sample(text, "postino_spool_commit_batch_messages_sum", Map.of()) >= 1, text);
    assertTrue(AdminHttp.sample(text, "postino_spool_free_bytes", Map.of()) > 0, text);
    assertEquals(0.0, AdminHttp.sample(text, "postino_queue_messages", Map.of("state", "hold")));
    assertTrue(AdminHttp.sample(text, "jvm_memory_used_bytes", Map.of()) > 0, "JVM metrics are bound");
  }

  @Test
  void theQueueIsCountedByStateWithTheAgeOfItsOldestMessage() throws Exception {
    // trusted: the relayed message waits in the queue, as nothing listens where TestServer sends remote domains
    server = new TestServer(dir);
    server.config.put("admin", new JsonObject().put("enabled", true).put("port", 0)
        .put("tokenFile", dir.resolve("admin.token").toString()));
    server.start();
    String queueId;
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData("a@local.example", "x@remote.example"), 354);
      SmtpTestClient.Reply queued = expect(c.send("Subject: waits\r\n\r\nwaits\r\n.\r\n").read(), 250);
      queueId = queued.text().substring(queued.text().lastIndexOf(' ') + 1);
    }
    assertEquals("deferred", server.nextEventFor("x@remote.example").getString("event"));
    int admin = server.postino.adminPort();
    TestServer.await("the deferred message counted", () -> AdminHttp.sample(AdminHttp.get(admin, "/metrics").body(),
        "postino_queue_messages", Map.of("state", "deferred")) == 1.0);
    String text = AdminHttp.get(admin, "/metrics").body();
    assertEquals(0.0, AdminHttp.sample(text, "postino_queue_messages", Map.of("state", "active")));
    assertEquals(0.0, AdminHttp.sample(text, "postino_queue_messages", Map.of("state", "hold")));
    assertTrue(AdminHttp.sample(text, "postino_queue_oldest_age_seconds", Map.of()) > 0, text);
    assertEquals(1.0, AdminHttp.sample(text, "postino_deliveries_total",
        Map.of("outcome", "deferred", "domain", "remote.example")));

    assertTrue(server.postino.queue().hold(queueId).await());
    text = AdminHttp.get(admin, "/metrics").body();
    assertEquals(0.0, AdminHttp.sample(text, "postino_queue_messages", Map.of("state", "deferred")));
    assertEquals(1.0, AdminHttp.sample(text, "postino_queue_messages", Map.of("state", "hold")));
  }

  @Test
  void tlsHandshakesAndAuthAttemptsAreCountedByOutcome() throws Exception {
    server = new TestServer(dir).untrusted().addUser("alice", "correct horse");
    server.config.put("admin", new JsonObject().put("enabled", true).put("port", 0)
        .put("tokenFile", dir.resolve("admin.token").toString()));
    server.start();
    String protocol;
    try (SmtpTestClient c = server.connect()) {
      c.startTls();
      protocol = c.tlsSession().getProtocol();
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("AUTH PLAIN " + plain("alice", "wrong")), 535);
      expect(c.command("AUTH PLAIN " + plain("alice", "correct horse")), 235);
    }
    String text = AdminHttp.get(server.postino.adminPort(), "/metrics").body();
    assertEquals(1.0, AdminHttp.sample(text, "postino_tls_handshakes_total", Map.of("protocol", protocol)), text);
    assertEquals(0.0, AdminHttp.sample(text, "postino_tls_handshake_failures_total", Map.of()));
    assertEquals(1.0, AdminHttp.sample(text, "postino_auth_attempts_total", Map.of("result", "failure")));
    assertEquals(1.0, AdminHttp.sample(text, "postino_auth_attempts_total", Map.of("result", "success")));
  }

  @Test
  void vertxOwnMetricsAreAddedWhenTheApplicationsVertxHasThem() {
    // an application that built its Vertx with Micrometer metrics and a Prometheus registry
    Vertx vertx = Vertx.builder().with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true).setRegistryName("app-" + dir.getFileName())
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)))).build();
    try {
      TestServer config = new TestServer(dir);
      config.config.put("admin", new JsonObject().put("enabled", true).put("port", 0)
          .put("tokenFile", dir.resolve("admin.token").toString()));
      Postino postino = Postino.start(vertx, new PostinoOptions(config.config)).await();
      String text = AdminHttp.get(postino.adminPort(), "/metrics").body();
      assertTrue(text.contains("\npostino_sessions_opened_total{"), "Postino's own meters");
      assertTrue(text.contains("\nvertx_"), "and Vert.x's: " + text.lines().filter(l -> l.contains("vertx")).count());
      postino.close().await();
    } finally {
      vertx.close().await();
    }
  }

  private static String plain(String user, String password) {
    return java.util.Base64.getEncoder().encodeToString(("\0" + user + "\0" + password)
        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
