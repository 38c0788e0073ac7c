package io.postino.it;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.dns.TestDnsServer;
import io.postino.testing.ScriptedServer;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A destination slower than the queue's {@code deliveryTimeout}: it takes the whole message and
 * never answers the end of data. The delivery side gives up by the queue's deadline (resetting
 * the session), so the queue gets its result and never starts a second session for the same
 * recipient while one is still under way.
 */
class SlowDestinationTest {

  @TempDir
  Path dir;
  private TestDnsServer dns;
  private TestServer server;

  @BeforeEach
  void setUp() throws IOException {
    dns = TestDnsServer.start();
    server = new TestServer(dir);
  }

  @AfterEach
  void tearDown() throws IOException {
    server.close();
    dns.close();
  }

  @Test
  void aSessionOutlastingTheDeliveryTimeoutIsNeverJoinedByASecondOne() throws Exception {
    AtomicInteger open = new AtomicInteger();
    AtomicInteger mostOpenAtOnce = new AtomicInteger();
    CountDownLatch sessions = new CountDownLatch(3);
    try (ScriptedServer tarpit = new ScriptedServer(p -> {
      mostOpenAtOnce.accumulateAndGet(open.incrementAndGet(), Math::max);
      try {
        p.send("220 tarpit.test\r\n");
        p.expect("EHLO");
        p.send("250 tarpit.test\r\n");
        p.expect("MAIL");
        p.send("250 2.1.0 Ok\r\n");
        p.expect("RCPT");
        p.send("250 2.1.5 Ok\r\n");
        p.expect("DATA");
        p.send("354 go ahead\r\n");
        p.data();
        // no reply to the end of data: the session lasts until the client ends it
        p.line();
      } catch (SocketException | AssertionError ended) {
        // the client reset the session it gave up on (before the end of data on a slow machine)
      } finally {
        open.decrementAndGet();
        sessions.countDown();
      }
    })) {
      dns.zone("dest.test. 300 IN MX 10 mx.dest.test.", "mx.dest.test. 300 IN A 127.0.0.1");
      server.config.put("dns", new JsonObject().put("servers", new JsonArray().add(dns.address()))
          .put("queryTimeout", 500).put("retries", 0).put("smtpPort", tarpit.port()));
      server.queue().put("deliveryTimeout", 2).put("minBackoff", 0.2).put("maxBackoff", 0.2).put("scanInterval", 0.05);
      // the destination's own timeouts are far longer than the queue's patience
      server.config.put("delivery", new JsonObject().put("connectTimeout", 2).put("commandTimeout", 10)
          .put("dataTimeout", 10));
      server.start();
      try (SmtpTestClient c = server.connect()) {
        expect(c.startData("alice@local.example", "bob@dest.test"), 354);
        c.send("Subject: slow\r\n\r\nhello\r\n.\r\n");
        expect(c.read(), 250);
      }
      assertTrue(sessions.await(30, TimeUnit.SECONDS), "three sessions, one after the other");
      assertEquals(1, mostOpenAtOnce.get(), "sessions for the same recipient overlapped");
    }
  }
}
