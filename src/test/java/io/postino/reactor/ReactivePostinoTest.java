package io.postino.reactor;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.bus.InboundEvent;
import io.postino.dns.Route;
import io.postino.dns.RouteException;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

/** The Reactor adapter against a running Postino: the examples of the README, as tests. */
class ReactivePostinoTest {

  @TempDir
  Path dir;
  TestServer server;
  ReactivePostino postino;

  @BeforeEach
  void setUp() {
    server = new TestServer(dir);
    server.config.put("dns", new JsonObject()
        .put("servers", new io.vertx.core.json.JsonArray().add("127.0.0.1:9"))
        .put("routes", new JsonObject().put("lab.example", "127.0.0.1:2526")));
    server.start();
    postino = new ReactivePostino(server.vertx);
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  @Test
  void resolveMxGivesTheRouteOrATypedFailure() {
    StepVerifier.create(postino.resolveMx("lab.example"))
        .assertNext(route -> {
          assertEquals("static", route.source().name().toLowerCase());
          assertEquals(2526, route.hosts().get(0).port());
        })
        .verifyComplete();
    StepVerifier.create(postino.resolveMx("not..a.domain"))
        .expectErrorSatisfies(e -> assertTrue(((RouteException) e).permanent(), e.toString()))
        .verify(Duration.ofSeconds(20));
  }

  @Test
  void inboundMailArrivesAsAFlux() throws Exception {
    StepVerifier.create(postino.inbound().take(2))
        .then(() -> {
          try (SmtpTestClient c = server.connect()) {
            for (int i = 0; i < 2; i++) {
              expect(c.startData("a@b.example", "bob@local.example"), 354);
              c.send("Subject: " + i + "\r\n\r\nhi\r\n.\r\n");
              expect(c.read(), 250);
              expect(c.command("RSET"), 250);
            }
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        })
        .assertNext(e -> assertEquals("bob@local.example", e.mailboxes().get(0).recipient()))
        .assertNext(e -> assertEquals("a@b.example", e.sender()))
        .verifyComplete();
  }
}
