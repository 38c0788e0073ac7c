package io.postino.it;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.dns.TestDnsServer;
import io.postino.testing.SmtpSink;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.TestCertificate;
import io.postino.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Smarthost mode end to end: every remote domain is routed (static route {@code "*"}) to a relay
 * that requires STARTTLS and AUTH, a real SMTP server (SubEthaSMTP) with its own certificate, which
 * Postino verifies against the configured trust anchor.
 */
class SmarthostTest {

  @TempDir
  Path dir;
  private TestDnsServer dns;
  private SmtpSink relay;
  private TestServer server;

  @AfterEach
  void tearDown() throws IOException {
    if (server != null) {
      server.close();
    }
    relay.close();
    dns.close();
  }

  private void start(String password) throws Exception {
    TestCertificate cert = TestCertificate.create("relay.test", dir);
    relay = new SmtpSink().startWithTlsAndAuth(cert, "postino", "s3cret");
    dns = TestDnsServer.start();
    dns.zone("relay.test. 300 IN A 127.0.0.1");
    server = new TestServer(dir);
    server.config.put("dns", new JsonObject()
        .put("servers", new JsonArray().add(dns.address()))
        .put("queryTimeout", 500)
        .put("routes", new JsonObject().put("*", "relay.test:" + relay.port())));
    server.config.put("delivery", new JsonObject()
        .put("verifyCertificates", true)
        .put("trustedCertificates", new JsonArray().add(cert.pemFile.toString()))
        .put("auth", new JsonObject().put("relay.test",
            new JsonObject().put("username", "postino").put("password", password))));
    server.queue().put("minBackoff", 0.2).put("maxBackoff", 0.2).put("scanInterval", 0.05);
    server.start();
  }

  private void send(String to) throws IOException {
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData("alice@local.example", to), 354);
      c.send("Subject: via the relay\r\n\r\nhello\r\n.\r\n");
      expect(c.read(), 250);
    }
  }

  @Test
  void everythingGoesThroughTheRelayOverTlsWithAuth() throws Exception {
    start("s3cret");

    send("bob@anywhere.test");
    send("carol@elsewhere.test");

    SmtpSink.Received first = relay.next();
    SmtpSink.Received second = relay.next();
    assertTrue(first.tls() && second.tls());
    assertEquals("postino", first.identity());
    assertEquals(Set.of("bob@anywhere.test", "carol@elsewhere.test"),
        Set.of(first.recipients().get(0), second.recipients().get(0)));
    assertTrue(new String(first.data(), StandardCharsets.US_ASCII).contains("Subject: via the relay"));
    TestServer.await("spool empty", () -> server.spooled().isEmpty());
  }

  @Test
  void aRefusedLoginKeepsTheMailQueued() throws Exception {
    start("wrong");

    send("bob@anywhere.test");

    JsonObject deferred = server.nextEvent();
    assertEquals("deferred", deferred.getString("event"));
    assertEquals("relay.test", deferred.getJsonObject("result").getString("mx"));
    assertEquals(1, server.spooled().size());
    assertEquals(0, relay.transactions());
    String spooled = Files.readString(server.spooled().get(0), StandardCharsets.UTF_8);
    assertTrue(spooled.contains("bob@anywhere.test"));
  }
}
