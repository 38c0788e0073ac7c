package io.postino.queue;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.Postino;
import io.postino.bus.DeliveryEvent;
import io.postino.bus.SpoolRead;
import io.postino.testing.SmtpSink;
import io.postino.testing.SmtpTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spool read service over a real queue: it serves the content of a message whose delivery is
 * under way (held here between its content and its reply at the destination), in chunks no larger
 * than asked, and nothing else: not a message that is not being delivered, not the spool file's
 * envelope, not a path.
 */
class SpoolReadServiceTest {

  private static final String BODY = "Date: Sat, 05 Dec 2026 10:00:00 +0000\r\nMessage-ID: <r1@test.example>\r\n"
      + "Subject: read me\r\n\r\nline one\r\nline two\r\n";

  @TempDir
  Path dir;
  final Vertx vertx = Vertx.vertx();
  SmtpSink sink;
  Postino postino;
  String node;
  final CompletableFuture<String> queueId = new CompletableFuture<>();

  @BeforeEach
  void setUp() {
    sink = new SmtpSink().start();
    vertx.eventBus().<JsonObject>consumer("postino.delivery.events",
        m -> queueId.complete(DeliveryEvent.fromJson(m.body()).queueId())).completion().await();
    postino = Postino.deploy(vertx, new JsonObject()
        .put("hostname", "a.test.example")
        .put("smtp", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("localDomains", new JsonArray().add("local.example"))
        .put("spool", new JsonObject().put("directory", dir.resolve("spool").toString()))
        .put("maildir", new JsonObject().put("root", dir.resolve("maildir").toString()))
        .put("tls", new JsonObject().put("enabled", false))
        .put("auth", new JsonObject().put("enabled", false))
        .put("dns", new JsonObject().put("servers", new JsonArray().add("127.0.0.1:9"))
            .put("routes", new JsonObject().put("remote.example", "127.0.0.1:" + sink.port()))))
        .await();
    Set<String> nodes = vertx.sharedData().<String, Boolean>getLocalMap(SpoolRead.LOCAL_NODES).keySet();
    assertEquals(1, nodes.size());
    node = nodes.iterator().next();
  }

  @AfterEach
  void tearDown() {
    sink.release();
    vertx.close().await();
    sink.close();
  }

  private Buffer read(JsonObject request) {
    return vertx.eventBus().<Buffer>request("postino.spool.read." + node, request).await().body();
  }

  private int failure(JsonObject request) {
    return assertThrows(ReplyException.class, () -> read(request)).failureCode();
  }

  @Test
  void servesTheContentOfAMessageUnderWayOnlyWhileItIs() throws Exception {
    CountDownLatch held = sink.hold("bob@remote.example");
    String id;
    try (SmtpTestClient c = new SmtpTestClient(postino.smtpPort())) {
      expect(c.read(), 220);
      expect(c.startData("alice@local.example", "bob@remote.example"), 354);
      c.send(BODY + ".\r\n");
      String text = expect(c.read(), 250).text();
      id = text.substring(text.lastIndexOf(' ') + 1);
    }
    assertTrue(held.await(20, TimeUnit.SECONDS), "the delivery never reached the sink");

    // the content as spooled: the trace field, then the message; never the envelope before it
    String whole = read(new SpoolRead(id, 0, 1 << 20).toJson()).toString(StandardCharsets.US_ASCII);
    assertTrue(whole.startsWith("Received: from client.example"), whole);
    assertTrue(whole.endsWith(BODY), whole);
    // chunks as asked for, and an empty one past the end
    assertEquals(whole.substring(5, 15), read(new SpoolRead(id, 5, 10).toJson()).toString(StandardCharsets.US_ASCII));
    assertEquals(0, read(new SpoolRead(id, whole.length(), 10).toJson()).length());

    // a message that is not in the queue, a path, a malformed request
    assertEquals(SpoolRead.NOT_UNDER_WAY, failure(new SpoolRead("NOSUCHID", 0, 10).toJson()));
    assertEquals(SpoolRead.NOT_UNDER_WAY, failure(new SpoolRead(dir.resolve("spool/incoming/" + id).toString(), 0, 10)
        .toJson()));
    assertEquals(SpoolRead.BAD_REQUEST, failure(new JsonObject().put("version", 1).put("path", "/etc/passwd")
        .put("position", 0).put("length", 10)));
    assertEquals(SpoolRead.BAD_REQUEST, failure(new SpoolRead(id, 0, 10).toJson().put("position", -1)));

    // delivered: no longer served
    sink.release();
    assertEquals(id, queueId.get(20, TimeUnit.SECONDS));
    assertEquals(SpoolRead.NOT_UNDER_WAY, failure(new SpoolRead(id, 0, 10).toJson()));
  }
}
