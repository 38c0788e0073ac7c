package io.postino.server.session;

import io.postino.PostinoInternals;
import io.postino.metrics.PostinoMetrics;
import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.dnsbl.Reputation;
import io.postino.intake.Intake;
import io.postino.server.ClientSpoolBudget;
import io.postino.server.ConnectionLimiter;
import io.postino.server.ListenerPolicy;
import io.postino.server.OpenSessions;
import io.postino.server.ServerContext;
import io.postino.server.ServerOptions;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.SmtpTestClient.Reply;
import io.postino.testing.WithTestServer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * STARTTLS (RFC 3207) over raw sockets: the upgrade on every listener instance, the state reset
 * after it, plaintext injection (CVE-2011-0411), clients that break the handshake, and the
 * {@code 454} answer when TLS cannot start.
 */
class StartTlsTest extends WithTestServer {

  private static boolean advertises(Reply ehlo, String keyword) {
    return ehlo.lines().stream().anyMatch(l -> l.substring(4).equals(keyword));
  }

  @Test
  void afterTheHandshakeTheSessionStartsAgainFromTheGreeting() throws Exception {
    server.start();
    try (SmtpTestClient c = server.connect()) {
      Reply plain = expect(c.command("EHLO client.example"), 250);
      assertTrue(advertises(plain, "STARTTLS"), plain.text());
      assertFalse(advertises(plain, "AUTH PLAIN LOGIN"), "no AUTH without TLS: " + plain);
      expect(c.command("MAIL FROM:<a@b.example>"), 250);
      assertEquals("2.0.0", c.startTls().enhanced());
      assertTrue(c.tlsSession().getProtocol().matches("TLSv1\\.[23]"), c.tlsSession().getProtocol());

      // EHLO is needed again, and the transaction from before TLS is gone
      assertEquals("5.5.1", expect(c.command("MAIL FROM:<a@b.example>"), 503).enhanced());
      Reply secure = expect(c.command("EHLO client.example"), 250);
      assertFalse(advertises(secure, "STARTTLS"), secure.text());
      assertTrue(advertises(secure, "AUTH PLAIN LOGIN"), secure.text());
      assertTrue(advertises(secure, "AUTH=PLAIN LOGIN"), secure.text());
      expect(c.command("RCPT TO:<bob@local.example>"), 503);
      assertEquals("5.5.1", expect(c.command("STARTTLS"), 503).enhanced());
      expect(c.command("QUIT"), 221);
    }
  }

  @Test
  void commandsPipelinedAfterStartTlsAreNeverExecuted() throws Exception {
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      // one packet: the RSET and MAIL must be dropped, not run after the handshake
      c.send("STARTTLS\r\nRSET\r\nMAIL FROM:<injected@evil.example>\r\n");
      expect(c.read(), 220);
      c.handshake();
      Reply first = expect(c.command("EHLO client.example"), 250);
      assertEquals("250-mx.test.example", first.lines().get(0), "the first reply after TLS answers EHLO");
      // no transaction was started by the injected MAIL
      expect(c.command("RCPT TO:<bob@local.example>"), 503);
      expect(c.command("NOOP"), 250);
    }
  }

  @Test
  void plaintextSentAfterThe220BreaksTheHandshakeAndIsNeverAnswered() throws Exception {
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("STARTTLS"), 220);
      c.send("RSET\r\nNOOP\r\n");
      String got = new String(c.readUntilClosed(), StandardCharsets.ISO_8859_1);
      assertFalse(got.contains("250"), "no command answered: " + got);
    }
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("NOOP"), 250);
    }
  }

  @Test
  void garbageOrADisconnectMidHandshakeLeavesOtherSessionsAlone() throws Exception {
    server.start();
    try (SmtpTestClient bystander = server.connect(); SmtpTestClient tlsBystander = server.connect()) {
      expect(bystander.command("EHLO client.example"), 250);
      expect(bystander.command("MAIL FROM:<a@b.example>"), 250);
      tlsBystander.startTls();
      expect(tlsBystander.command("EHLO client.example"), 250);

      byte[] garbage = new byte[4096];
      new Random(7).nextBytes(garbage);
      garbage[0] = 0x16; // looks like a TLS handshake record at first
      try (SmtpTestClient c = server.connect()) {
        expect(c.command("STARTTLS"), 220);
        c.sendBytes(garbage);
        c.readUntilClosed();
      }
      // a ClientHello record header announcing more than is sent, then gone
      for (int i = 0; i < 5; i++) {
        try (SmtpTestClient c = server.connect()) {
          expect(c.command("STARTTLS"), 220);
          c.sendBytes(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01});
        }
      }

      expect(bystander.command("RCPT TO:<bob@local.example>"), 250);
      expect(tlsBystander.command("NOOP"), 250);
    }
    try (SmtpTestClient c = server.connect()) {
      c.startTls();
      expect(c.command("EHLO client.example"), 250);
    }
  }

  @Test
  void aClientThatNeverHandshakesIsDisconnectedAfterTheHandshakeTimeout() throws Exception {
    server.tls().put("handshakeTimeout", 0.3);
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("STARTTLS"), 220);
      long start = System.nanoTime();
      c.readUntilClosed();
      assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 9_000);
    }
  }

  /**
   * The Vert.x 5.0.7 bug: with a shared port, {@code upgradeToSsl} fails on every instance but the
   * first. Four instances, a hundred clients upgrading at the same moment: all must succeed.
   */
  @Test
  void aHundredConcurrentUpgradesOnFourInstances() throws Exception {
    int clients = 100;
    server.smtp().put("instances", 4).put("maxConnectionsPerClient", 2 * clients);
    server.start();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    CyclicBarrier ready = new CyclicBarrier(clients + 1);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        results.add(pool.submit(() -> {
          try (SmtpTestClient c = new SmtpTestClient(server.port(), 30_000)) {
            expect(c.read(), 220);
            expect(c.command("EHLO client.example"), 250);
            ready.await(30, TimeUnit.SECONDS);
            c.startTls();
            Reply ehlo = expect(c.command("EHLO client.example"), 250);
            assertTrue(advertises(ehlo, "AUTH PLAIN LOGIN"), ehlo.text());
            expect(c.command("QUIT"), 221);
            return c.tlsSession().getProtocol();
          }
        }));
      }
      ready.await(30, TimeUnit.SECONDS);
      long start = System.nanoTime();
      int ok = 0;
      for (Future<String> r : results) {
        assertTrue(r.get(60, TimeUnit.SECONDS).startsWith("TLSv1."));
        ok++;
      }
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      System.out.printf("%d concurrent STARTTLS upgrades on 4 instances: %d ms%n", clients, millis);
      assertEquals(clients, ok);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void onlyTheConfiguredProtocolsAreOffered() throws Exception {
    server.tls().put("protocols", new io.vertx.core.json.JsonArray().add("TLSv1.2"));
    server.start();
    try (SmtpTestClient c = server.connect()) {
      c.startTls();
      assertEquals("TLSv1.2", c.tlsSession().getProtocol());
    }
  }

  @Test
  void withoutTlsThereIsNoStartTls() throws Exception {
    server.tls().put("enabled", false);
    server.auth().put("enabled", false);
    server.start();
    try (SmtpTestClient c = server.connect()) {
      Reply ehlo = expect(c.command("EHLO client.example"), 250);
      assertFalse(advertises(ehlo, "STARTTLS"), ehlo.text());
      assertEquals("5.5.1", expect(c.command("STARTTLS"), 502).enhanced());
      assertEquals("5.5.1", expect(c.command("AUTH PLAIN"), 503).enhanced());
    }
  }

  @Test
  void theReceivedHeaderNamesTheTlsVersionAndCipher() throws Exception {
    server.start();
    try (SmtpTestClient c = server.connect()) {
      c.startTls();
      String cipher = c.tlsSession().getCipherSuite();
      String protocol = c.tlsSession().getProtocol();
      expect(c.startData("alice@sender.example", "bob@local.example"), 354);
      c.send("Subject: tls\r\n\r\nsecret\r\n.\r\n");
      expect(c.read(), 250);
      server.nextInbound();
      String mail = Files.readString(server.mailbox("local.example", "bob").get(0));
      assertTrue(mail.contains("Received: from client.example ([127.0.0.1])\r\n\t(using " + protocol
          + " with cipher " + cipher + ")\r\n\tby mx.test.example (Postino) with ESMTPS id "), mail);
    }
  }

  @Test
  void whenTlsCannotStartTheAnswerIs454AndTheSessionGoesOn() throws Exception {
    server.start();
    ServerContext ctx = new ServerContext(new ServerOptions(), "mx.test.example", PostinoInternals.recipientPolicy(server.postino),
        new ConnectionLimiter(10, 10),
        new Intake(PostinoInternals.spool(server.postino), "mx.test.example", d -> true, m -> { }), ListenerPolicy.SMTP,
        PostinoInternals.tls(server.postino), PostinoInternals.auth(server.postino), null, new ClientSpoolBudget(0),
        new OpenSessions(), PostinoMetrics.none(), Reputation.off());
    // a socket Vert.x did not make: the TLS handler has no pipeline to go into
    NetServer netServer = server.vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0))
        .connectHandler(real -> {
          NetSocket wrapped = (NetSocket) Proxy.newProxyInstance(NetSocket.class.getClassLoader(),
              new Class<?>[] {NetSocket.class}, (proxy, method, args) -> {
                try {
                  Object result = method.invoke(real, args);
                  return result == real ? proxy : result;
                } catch (InvocationTargetException e) {
                  throw e.getCause();
                }
              });
          new SmtpSession(server.vertx, wrapped, ctx, ctx.meters(), "127.0.0.1", false).start();
        });
    netServer.listen().await();
    try (SmtpTestClient c = new SmtpTestClient(netServer.actualPort())) {
      expect(c.read(), 220);
      expect(c.command("EHLO client.example"), 250);
      Reply refused = expect(c.command("STARTTLS"), 454);
      assertEquals("4.7.0", refused.enhanced());
      expect(c.command("NOOP"), 250);
    } finally {
      netServer.close().await();
    }
  }
}
