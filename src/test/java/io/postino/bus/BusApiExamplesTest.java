package io.postino.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.bus.Route;
import io.postino.bus.RouteException;
import io.postino.smtp.MailAddress;
import io.postino.smtp.MailParameters;
import io.postino.smtp.RcptParameters;
import io.postino.testing.SmtpSink;
import io.postino.testing.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's examples of postino.inbound, postino.mx.resolve, postino.delivery.submit and
 * postino.delivery.events, run against a Postino whose remote domain is a real SMTP server.
 */
class BusApiExamplesTest {

  @TempDir
  Path dir;
  SmtpSink sink;
  TestServer server;
  Vertx vertx;

  @BeforeEach
  void setUp() {
    sink = new SmtpSink().start();
    server = new TestServer(dir);
    server.dns().getJsonObject("routes").put("remote.example", "127.0.0.1:" + sink.port());
    server.start();
    vertx = server.vertx;
  }

  @AfterEach
  void tearDown() {
    server.close();
    sink.close();
  }

  private String send(String to) {
    return vertx.eventBus().<JsonObject>request("postino.send",
            RawMessage.text("alice@example.org", List.of(to), "Subject: hi\n\nhello\n").toJson())
        .map(reply -> SendReply.fromJson(reply.body()).queueId())
        .await();
  }

  @Test
  void inboundAndDeliveryEvents() throws Exception {
    BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    // --- example: postino.inbound (README) ---
    vertx.eventBus().<JsonObject>consumer("postino.inbound", msg -> {
      InboundEvent event = InboundEvent.fromJson(msg.body());
      // the content is in the mailbox files, read them off the event loop
      event.mailboxes().forEach(m -> seen.add(m.recipient() + " -> " + m.path()));
    }).completion().await();
    // --- end of example ---
    // --- example: postino.delivery.events (README) ---
    vertx.eventBus().<JsonObject>consumer("postino.delivery.events", msg -> {
      DeliveryEvent event = DeliveryEvent.fromJson(msg.body());
      RecipientResult result = event.result();
      seen.add(event.queueId() + " " + event.event().jsonName() + " " + result.recipient().address() + " " + result.code());
    }).completion().await();
    // --- end of example ---

    String local = send("bob@local.example");
    String inbound = seen.poll(20, TimeUnit.SECONDS);
    assertTrue(inbound.startsWith("bob@local.example -> " + dir.resolve("maildir")), inbound);
    assertEquals(local + " delivered bob@local.example 250", seen.poll(20, TimeUnit.SECONDS));
    String remote = send("carol@remote.example");
    assertEquals(remote + " delivered carol@remote.example 250", seen.poll(20, TimeUnit.SECONDS));
  }

  @Test
  void mxResolve() {
    // --- example: postino.mx.resolve (README) ---
    Future<Route> route = vertx.eventBus()
        .<JsonObject>request("postino.mx.resolve", new JsonObject().put("domain", "remote.example"),
            new DeliveryOptions().setSendTimeout(30_000))
        .compose(reply -> reply.body().containsKey("hosts")
            ? Future.succeededFuture(Route.fromJson(reply.body()))
            : Future.failedFuture(RouteException.fromJson(reply.body())));
    // --- end of example ---
    assertEquals(sink.port(), route.await().hosts().get(0).port());
  }

  @Test
  void deliverySubmit() throws Exception {
    // the delivery verticle reads content only under the spool directory
    Path file = Files.writeString(dir.resolve("spool").resolve("outbound-example"), "Subject: hi\r\n\r\nhello\r\n",
        StandardCharsets.US_ASCII);
    // --- example: postino.delivery.submit (README) ---
    DeliveryJob job = new DeliveryJob("APP1", "remote.example", MailAddress.parse("alice@example.org"),
        MailParameters.NONE,
        List.of(new DeliveryJob.Recipient(MailAddress.parse("bob@remote.example"), RcptParameters.NONE)),
        new DeliveryJob.Content(file.toString(), 0, Files.size(file)));
    DeliveryReply reply = vertx.eventBus()
        .<JsonObject>request("postino.delivery.submit", job.toJson(), new DeliveryOptions().setSendTimeout(600_000))
        .map(r -> DeliveryReply.fromJson(r.body()))
        .await();
    // --- end of example ---
    assertEquals(RecipientResult.Outcome.DELIVERED, reply.results().get(0).outcome());
    assertEquals(List.of("bob@remote.example"), sink.next().recipients());
  }
}
