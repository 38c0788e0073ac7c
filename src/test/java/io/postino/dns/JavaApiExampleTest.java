package io.postino.dns;

import io.postino.bus.Route;
import io.postino.bus.RouteException;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Promise;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Java API example of README.md, "MX resolution", compiled and run against the test DNS server. */
class JavaApiExampleTest extends ResolverTestBase {

  @Test
  void theReadmeExampleWorks() {
    dns.zone("example.org. 300 IN MX 10 mx1.example.org.", "mx1.example.org. 300 IN A 192.0.2.1");
    Promise<String> outcome = Promise.promise();

    // --- example (README.md, "MX resolution", "Java API"), with the test server as DNS server ---
    MxResolver resolver = MxResolver.create(vertx, new MxResolverOptions()
        .setServers(List.of(dns.address()))
        .addRoute("lab.example", "127.0.0.1:2525"));
    resolver.resolve("example.org").onComplete(ar -> {
      if (ar.succeeded()) {
        Route route = ar.result();                             // hosts in the order to try
        outcome.complete(route.hosts().get(0).name());
      } else {
        RouteException failure = (RouteException) ar.cause(); // always a RouteException
        boolean bounce = failure.permanent();
        outcome.complete("failed, bounce=" + bounce);
      }
    });
    // --- end of example ---

    assertEquals("mx1.example.org", join(outcome.future()));
    join(resolver.close());
  }
}
