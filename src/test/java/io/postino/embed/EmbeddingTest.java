package io.postino.embed;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.Postino;
import io.postino.bus.InboundEvent;
import io.postino.testing.SmtpTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Postino embedded in an application's own Vert.x, twice in one JVM: nothing static or global
 * ties the two together. The README's embedding example is src/it/embedding, built and run against
 * the plain jar by `verify`.
 */
class EmbeddingTest {

  @TempDir
  Path dir;
  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private static JsonObject config(Path dir, String name) {
    return new JsonObject()
        .put("hostname", name + ".test.example")
        .put("smtp", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("localDomains", new JsonArray().add(name + ".example"))
        .put("spool", new JsonObject().put("directory", dir.resolve(name + "/spool").toString()))
        .put("maildir", new JsonObject().put("root", dir.resolve(name + "/maildir").toString()))
        .put("eventBus", new JsonObject().put("prefix", name));
  }

  @Test
  void twoPostinosInOneVertx() throws Exception {
    CompletableFuture<InboundEvent> received = new CompletableFuture<>();
    vertx.eventBus().<JsonObject>consumer("alpha.inbound",
        msg -> received.complete(InboundEvent.fromJson(msg.body()))).completion().await();
    Postino alpha = Postino.deploy(vertx, config(dir, "alpha")).await();
    Postino beta = Postino.deploy(vertx, config(dir, "beta")).await();
    assertNotEquals(alpha.smtpPort(), beta.smtpPort());

    try (SmtpTestClient c = new SmtpTestClient(alpha.smtpPort())) {
      expect(c.read(), 220);
      expect(c.startData("a@b.example", "bob@alpha.example"), 354);
      c.send("Subject: to alpha\r\n\r\nhi\r\n.\r\n");
      expect(c.read(), 250);
    }
    assertEquals("bob@alpha.example", received.get(20, TimeUnit.SECONDS).mailboxes().get(0).recipient());

    try (SmtpTestClient c = new SmtpTestClient(beta.smtpPort())) {
      expect(c.read(), 220);
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<a@b.example>"), 250);
      // beta is not alpha: alpha's domain is not local there, and relay from loopback is trusted
      expect(c.command("RCPT TO:<bob@beta.example>"), 250);
    }
    beta.close().await();
    alpha.close().await();
  }

  @Test
  void aListenerThatCannotBindFailsTheStartAndLeavesNothingRunning() throws Exception {
    Postino alpha = Postino.deploy(vertx, config(dir, "alpha")).await();
    int deployedBefore = vertx.deploymentIDs().size();
    // a second Vert.x, so that the port is really taken (one Vert.x would share it)
    Vertx other = Vertx.vertx();
    try {
      JsonObject clash = config(dir, "beta");
      clash.getJsonObject("smtp").put("port", alpha.smtpPort());
      Throwable failure = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
          () -> Postino.deploy(other, clash).await());
      assertTrue(String.valueOf(failure.getMessage()).toLowerCase().contains("address already in use"),
          String.valueOf(failure));
      assertEquals(0, other.deploymentIDs().size(), "what had started was undeployed again");
    } finally {
      other.close().await();
    }
    assertEquals(deployedBefore, vertx.deploymentIDs().size());
    try (SmtpTestClient c = new SmtpTestClient(alpha.smtpPort())) {
      expect(c.read(), 220);
    }
  }
}
