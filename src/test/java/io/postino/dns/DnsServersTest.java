package io.postino.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.dns.MxRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
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

  // A blind off-path attacker forging MX answers must guess the source port and the id: with one
  // client for the process's life every query left from the same port.

  @Test
  void everyQueryGoesOutFromAFreshSourcePort() {
    dns.zone("mx.example.net. 300 IN A 192.0.2.1");
    DnsServers servers = new DnsServers(vertx, options());
    try {
      for (int i = 0; i < 20; i++) {
        join(servers.a("mx.example.net"));
      }
      Set<Integer> ports = dns.udpSources().stream().map(TestDnsServer.UdpSource::port).collect(Collectors.toSet());
      assertEquals(20, dns.udpSources().size());
      // ephemeral ports are drawn at random, and the kernel may hand one out again: allow a repeat or two
      assertTrue(ports.size() >= 18, "source ports " + dns.udpSources());
    } finally {
      join(servers.close());
    }
  }
}
