package io.postino.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.dns.MxRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The query layer under the resolver: one query in flight per question, shared by its askers. */
class DnsServersTest extends ResolverTestBase {

  // Without the sharing, 49 of these 50 fail with an IndexOutOfBoundsException: Netty sends one
  // query and hands its response to all 50, and Vert.x's MX decoding reads it destructively.

  @Test
  void concurrentIdenticalMxQueriesShareOneAndAllSucceed() {
    dns.zone("example.org. 300 IN MX 10 mx.example.net.");
    DnsServers servers = new DnsServers(vertx, options());
    try {
      List<Future<List<MxRecord>>> queries = new ArrayList<>();
      // all 50 asked from one event-loop task, so the answer cannot arrive between two of them
      // (from the test thread, a slow machine could finish the first query before the last ask)
      Promise<Void> asked = Promise.promise();
      vertx.getOrCreateContext().runOnContext(v -> {
        for (int i = 0; i < 50; i++) {
          queries.add(servers.mx("example.org"));
        }
        asked.complete();
      });
      join(asked.future());
      join(Future.all(queries));
      queries.forEach(q -> assertEquals("mx.example.net", q.result().get(0).name()));
      assertEquals(1, dns.count("example.org", "MX"));
    } finally {
      join(servers.close());
    }
  }

  @Test
  void aQuestionIsAskedAgainOnceTheSharedOneIsAnswered() {
    dns.zone("mx.example.net. 300 IN A 192.0.2.1");
    DnsServers servers = new DnsServers(vertx, options());
    try {
      join(servers.a("mx.example.net"));
      join(servers.a("mx.example.net"));
      assertEquals(2, dns.count("mx.example.net", "A"), "sharing is for queries in flight, caching is above");
    } finally {
      join(servers.close());
    }
  }
}
