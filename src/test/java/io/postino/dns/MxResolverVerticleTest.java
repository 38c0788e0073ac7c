package io.postino.dns;

import io.postino.bus.Route;
import io.postino.bus.RouteException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.postino.bus.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The event-bus contract of {@code postino.mx.resolve}: real requests, real replies. */
@ExtendWith(VertxExtension.class)
class MxResolverVerticleTest {

  private TestDnsServer dns;
  private MxResolver shared;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext context) throws IOException {
    dns = TestDnsServer.start().zone(
        "example.org. 300 IN MX 10 mx1.example.org.",
        "mx1.example.org. 300 IN A 192.0.2.1",
        "mx1.example.org. 300 IN AAAA 2001:db8::1",
        "null.example. 300 IN MX 0 .");
    MxResolverOptions options = new MxResolverOptions().setServers(List.of(dns.address())).setQueryTimeout(500);
    shared = MxResolver.create(vertx, options);
    vertx.deployVerticle(new MxResolverVerticle(Addresses.DEFAULT, options))
        .compose(id -> vertx.deployVerticle(new MxResolverVerticle(new Addresses("lab"), options)))
        .compose(id -> vertx.deployVerticle(
            new MxResolverVerticle(new Addresses("shared"), shared)))
        .onComplete(context.succeedingThenComplete());
  }

  @AfterEach
  void stop() throws IOException {
    shared.close();
    dns.close();
  }

  @Test
  void aRouteIsRepliedAsJson(Vertx vertx, VertxTestContext context) {
    vertx.eventBus().<JsonObject>request("postino.mx.resolve", new JsonObject().put("domain", "example.org"))
        .onComplete(context.succeeding(reply -> context.verify(() -> {
          assertEquals(new JsonObject()
              .put("domain", "example.org")
              .put("hosts", new JsonArray().add(new JsonObject()
                  .put("name", "mx1.example.org")
                  .put("preference", 10)
                  .put("addresses", new JsonArray().add("192.0.2.1").add("2001:db8::1"))
                  .put("port", 25)))
              .put("source", "mx"), reply.body());
          assertEquals("mx1.example.org", Route.fromJson(reply.body()).hosts().get(0).name());
          context.completeNow();
        })));
  }

  @Test
  void aFailureIsRepliedWithPermanentStatusAndReason(Vertx vertx, VertxTestContext context) {
    vertx.eventBus().<JsonObject>request("postino.mx.resolve", new JsonObject().put("domain", "null.example"))
        .onComplete(context.succeeding(reply -> context.verify(() -> {
          JsonObject body = reply.body();
          assertEquals(true, body.getBoolean("permanent"));
          assertEquals(556, body.getInteger("code"));
          assertEquals("5.1.10", body.getString("status"));
          assertEquals("null.example", body.getString("domain"));
          assertEquals("domain null.example does not accept mail (null MX)", body.getString("reason"));
          assertFalse(body.containsKey("hosts"));
          assertEquals(RouteException.fromJson(body).toJson(), body);
          context.completeNow();
        })));
  }

  @Test
  void aTemporaryFailureSaysSo(Vertx vertx, VertxTestContext context) {
    dns.mode(TestDnsServer.Mode.SERVFAIL);
    vertx.eventBus().<JsonObject>request("postino.mx.resolve", new JsonObject().put("domain", "example.net"))
        .onComplete(context.succeeding(reply -> context.verify(() -> {
          assertEquals(false, reply.body().getBoolean("permanent"));
          assertEquals("4.4.3", reply.body().getString("status"));
          context.completeNow();
        })));
  }

  @Test
  void aMalformedRequestIsFailedWith400(Vertx vertx, VertxTestContext context) {
    vertx.eventBus().request("postino.mx.resolve", "example.org")
        .onComplete(context.failing(failure -> context.verify(() -> {
          assertEquals(MxResolverVerticle.BAD_REQUEST, ((ReplyException) failure).failureCode());
          context.completeNow();
        })));
  }

  @Test
  void theAddressPrefixIsConfigurable(Vertx vertx, VertxTestContext context) {
    vertx.eventBus().<JsonObject>request("lab.mx.resolve", new JsonObject().put("domain", "example.org"))
        .onComplete(context.succeeding(reply -> context.verify(() -> {
          assertEquals("mx", reply.body().getString("source"));
          context.completeNow();
        })));
  }

  @Test
  void aVerticleCanAnswerFromASharedResolver(Vertx vertx, VertxTestContext context) {
    vertx.eventBus().<JsonObject>request("shared.mx.resolve", new JsonObject().put("domain", "example.org"))
        .onComplete(context.succeeding(reply -> context.verify(() -> {
          assertEquals("example.org", reply.body().getString("domain"));
          context.completeNow();
        })));
  }
}
