package io.postino.reactor;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.bus.DeliveryEvent;
import io.postino.bus.InboundEvent;
import io.postino.bus.RawMessage;
import io.postino.bus.SendReply;
import io.postino.bus.StructuredMessage;
import io.postino.bus.StructuredMessage.NamedAddress;
import io.postino.bus.Route;
import io.postino.bus.RouteException;
import io.postino.testing.SmtpSink;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.TestServer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The Reactor adapter against a running Postino: the examples of the README, as tests. */
class ReactivePostinoTest {

  @TempDir
  Path dir;
  SmtpSink sink;
  TestServer server;
  ReactivePostino postino;

  @BeforeEach
  void setUp() {
    sink = new SmtpSink().start();
    server = new TestServer(dir);
    server.config.put("dns", new JsonObject()
        .put("servers", new io.vertx.core.json.JsonArray().add("127.0.0.1:9"))
        .put("routes", new JsonObject().put("lab.example", "127.0.0.1:2526")
            .put("remote.example", "127.0.0.1:" + sink.port())));
    server.start();
    postino = new ReactivePostino(server.vertx);
  }

  @AfterEach
  void tearDown() {
    server.close();
    sink.close();
  }

  @Test
  void sendGivesTheQueueIdOfEitherForm() {
    // --- example: Reactor, send (README, "Reactor") ---
    Mono<String> raw = postino.send(RawMessage.text("app@example.org", List.of("bob@local.example"),
        "Subject: raw\n\nHello\n"));
    Mono<String> structured = postino.send(StructuredMessage.of(NamedAddress.of("app@example.org"),
        List.of(NamedAddress.of("bob@local.example")), "structured", "Hello"));
    // --- end of example ---

    List<String> ids = new java.util.ArrayList<>();
    StepVerifier.create(raw.concatWith(structured))
        .recordWith(() -> ids)
        .expectNextCount(2)
        .verifyComplete();
    // signals come on an event loop: the mailboxes are checked here, on the test's thread
    assertEquals(Set.copyOf(ids), Set.of(server.nextInbound().getString("queueId"),
        server.nextInbound().getString("queueId")));
  }

  @Test
  void aRefusedSendFailsWithItsCode() {
    // more recipients than smtp.maxRecipients (100)
    List<String> tooMany = IntStream.range(0, 101).mapToObj(i -> "u" + i + "@local.example").toList();
    StepVerifier.create(postino.send(RawMessage.text("app@example.org", tooMany, "Subject: x\n\nhi\n")))
        .expectErrorSatisfies(e -> assertEquals(SendReply.BAD_REQUEST, ((ReplyException) e).failureCode()))
        .verify(Duration.ofSeconds(20));
  }

  @Test
  void deliveryEventsFollowWhatWasSent() throws Exception {
    // --- example: Reactor, delivery events (README, "Reactor") ---
    Flux<DeliveryEvent> delivered = postino.deliveryEvents()
        .filter(e -> e.event() == DeliveryEvent.Type.DELIVERED);
    // --- end of example ---
    CompletableFuture<List<DeliveryEvent>> seen = delivered.take(2).collectList().toFuture();
    // the subscription reaches the bus a moment after subscribe(): send until its events arrive
    for (int i = 0; i < 50 && !seen.isDone(); i++) {
      postino.send(StructuredMessage.of(NamedAddress.of("app@example.org"),
          List.of(NamedAddress.of("bob@remote.example"), NamedAddress.of("carol@local.example")), "hi", "Hello"))
          .block(Duration.ofSeconds(10));
      waitBriefly(seen);
    }
    assertEquals(Set.of("bob@remote.example", "carol@local.example"), seen.get(20, TimeUnit.SECONDS).stream()
        .map(e -> e.result().recipient().address()).collect(Collectors.toSet()));
    assertEquals(List.of("bob@remote.example"), sink.next().recipients());
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
    CompletableFuture<List<InboundEvent>> seen = postino.inbound().take(2).collectList().toFuture();
    // the subscription reaches the bus a moment after subscribe(): mail until two events arrive
    try (SmtpTestClient c = server.connect()) {
      for (int i = 0; i < 50 && !seen.isDone(); i++) {
        expect(c.startData("a@b.example", "bob@local.example"), 354);
        c.send("Subject: " + i + "\r\n\r\nhi\r\n.\r\n");
        expect(c.read(), 250);
        expect(c.command("RSET"), 250);
        waitBriefly(seen);
      }
    }
    for (InboundEvent e : seen.get(20, TimeUnit.SECONDS)) {
      assertEquals("bob@local.example", e.mailboxes().get(0).recipient());
      assertEquals("a@b.example", e.sender());
    }
  }

  /** Gives a pending future a moment; its not being done yet is no failure. */
  private static void waitBriefly(CompletableFuture<?> future) throws Exception {
    try {
      future.get(100, TimeUnit.MILLISECONDS);
    } catch (TimeoutException notYet) {
      // the caller sends again
    }
  }
}
