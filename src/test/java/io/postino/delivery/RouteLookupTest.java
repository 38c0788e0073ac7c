package io.postino.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.bus.Addresses;
import io.postino.bus.DeliveryReply;
import io.postino.bus.RecipientResult;
import io.postino.bus.RecipientResult.Outcome;
import io.postino.bus.Route;
import io.postino.bus.RouteHost;
import io.postino.testing.SmtpSink;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Where a delivery job asks for its route: the MX resolver of its own process directly (no
 * request on {@code postino.mx.resolve} for any job), and the bus when the process has none.
 */
class RouteLookupTest extends DeliveryTestBase {

  /** Requests sent on {@code postino.mx.resolve} from now on. */
  private AtomicInteger resolveRequests() {
    AtomicInteger count = new AtomicInteger();
    vertx.eventBus().addOutboundInterceptor(ctx -> {
      if (Addresses.DEFAULT.mxResolve().equals(ctx.message().address())) {
        count.incrementAndGet();
      }
      ctx.next();
    });
    return count;
  }

  @Test
  void aResolverInTheProcessIsAskedWithoutTheBus() throws Exception {
    sink = new SmtpSink().start();
    deploy(Map.of("dest.test", List.of("127.0.0.1:" + sink.port())), fast());
    AtomicInteger requests = resolveRequests();

    DeliveryReply first = deliver(job("Subject: 1\r\n\r\none\r\n", "bob@dest.test"));
    DeliveryReply second = deliver(job("Subject: 2\r\n\r\ntwo\r\n", "carol@dest.test"));

    assertEquals(Outcome.DELIVERED, first.results().get(0).outcome());
    assertEquals(Outcome.DELIVERED, second.results().get(0).outcome());
    assertEquals("127.0.0.1", second.results().get(0).mx());
    assertEquals(List.of("bob@dest.test"), sink.next().recipients());
    assertEquals(List.of("carol@dest.test"), sink.next().recipients());
    assertEquals(0, requests.get());
  }

  @Test
  void theRouteFailureOfTheResolverInTheProcessIsTheRecipientsResult() throws Exception {
    // no static route, and the test DNS server knows nothing: NXDOMAIN, a permanent failure
    deploy(Map.of(), fast());
    AtomicInteger requests = resolveRequests();

    RecipientResult r = deliver(job("Subject: x\r\n\r\nx\r\n", "bob@nowhere.test")).results().get(0);

    assertEquals(Outcome.PERMANENT, r.outcome(), r.toString());
    assertTrue(r.status().startsWith("5."), r.status());
    assertEquals(0, requests.get());
  }

  @Test
  void withoutAResolverInTheProcessTheBusIsAsked() throws Exception {
    sink = new SmtpSink().start();
    // a resolver elsewhere (another node, as far as this process knows): only its bus consumer
    vertx.eventBus().<JsonObject>consumer(Addresses.DEFAULT.mxResolve(), m -> m.reply(new Route("dest.test",
        List.of(new RouteHost("127.0.0.1", 0, List.of("127.0.0.1"), sink.port())), Route.Source.STATIC).toJson()))
        .completion().await();
    vertx.deployVerticle(new DeliveryVerticle(Addresses.DEFAULT, fast(), "postino.test", dir)).await();
    AtomicInteger requests = resolveRequests();

    DeliveryReply reply = deliver(job("Subject: x\r\n\r\nx\r\n", "bob@dest.test"));

    assertEquals(Outcome.DELIVERED, reply.results().get(0).outcome());
    assertEquals(List.of("bob@dest.test"), sink.next().recipients());
    assertEquals(1, requests.get());
  }
}
