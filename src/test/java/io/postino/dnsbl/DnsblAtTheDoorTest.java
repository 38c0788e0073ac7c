package io.postino.dnsbl;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.dns.TestDnsServer;
import io.postino.testing.LogCapture;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DNS lists at the door, over real sockets: a DNS responder on loopback serves the zones
 * {@code bl.test} and {@code bl2.test} (block lists) and {@code wl.test} (an allow list), and clients
 * connect from the loopback addresses those list (127.0.0.0/8 is all loopback on Linux).
 */
class DnsblAtTheDoorTest {

  @TempDir
  Path dir;
  private TestDnsServer dns;
  private TestServer server;

  @BeforeEach
  void setUp() throws Exception {
    dns = TestDnsServer.start().zone(
        // 127.0.0.5: on bl.test only; 127.0.0.6: on bl.test and bl2.test; 127.0.0.7: on bl.test with
        // code 127.0.0.3 and on wl.test; 127.0.0.8: an answer outside 127/8 and a Spamhaus error code
        "5.0.0.127.bl.test. 300 IN A 127.0.0.2",
        "6.0.0.127.bl.test. 300 IN A 127.0.0.2",
        "6.0.0.127.bl2.test. 300 IN A 127.0.0.4",
        "7.0.0.127.bl.test. 300 IN A 127.0.0.3",
        "7.0.0.127.wl.test. 300 IN A 127.0.10.1",
        "8.0.0.127.bl.test. 300 IN A 192.0.2.1",
        "8.0.0.127.bl2.test. 300 IN A 127.255.255.254");
    server = new TestServer(dir).untrusted();
    server.dns().put("servers", new JsonArray().add(dns.address()));
  }

  @AfterEach
  void tearDown() throws Exception {
    server.close();
    dns.close();
  }

  private JsonObject dnsbl(JsonObject... sites) {
    JsonObject o = new JsonObject().put("sites", new JsonArray(List.of((Object[]) sites)))
        // the verdict, not the bound, decides when the greeting comes: no race with the lookups
        .put("maxGreetingWait", 60);
    server.smtp().put("dnsbl", o);
    return o;
  }

  private static JsonObject site(String zone, int weight, String... codes) {
    return new JsonObject().put("zone", zone).put("weight", weight).put("codes", new JsonArray(List.of(
        (Object[]) codes)));
  }

  private SmtpTestClient from(String address) throws Exception {
    SmtpTestClient c = new SmtpTestClient(address, server.port(), 10_000);
    expect(c.read(), 220);
    expect(c.command("EHLO client.example"), 250);
    expect(c.command("MAIL FROM:<alice@sender.example>"), 250);
    return c;
  }

  private static void delivers(SmtpTestClient c) throws Exception {
    expect(c.command("RCPT TO:<bob@local.example>"), 250);
    expect(c.command("DATA"), 354);
    expect(c.command("Subject: hello\r\n\r\nhi\r\n."), 250);
  }

  @Test
  void aListedClientIsGreetedAndItsRecipientsAreRefusedNamingTheZone() throws Exception {
    dnsbl(site("bl.test", 1));
    server.start();
    try (LogCapture log = new LogCapture(); SmtpTestClient c = from("127.0.0.5")) {
      SmtpTestClient.Reply r = c.command("RCPT TO:<bob@local.example>");
      assertEquals(550, r.code(), r.toString());
      assertEquals("5.7.1", r.enhanced());
      assertTrue(r.text().contains("client [127.0.0.5] blocked using bl.test"), r.toString());
      log.await("DNSBL rank 1 for unknown\\[127\\.0\\.0\\.5\\]:\\d+: bl\\.test=127\\.0\\.0\\.2\\*1; blocked using bl\\.test");
      log.await("NOQUEUE: reject: RCPT from unknown\\[127\\.0\\.0\\.5\\]:\\d+: 550 5\\.7\\.1 Service unavailable; "
          + "client \\[127\\.0\\.0\\.5\\] blocked using bl\\.test");
    }
    try (SmtpTestClient c = from("127.0.0.9")) {
      // not on the list
      delivers(c);
    }
  }

  @Test
  void weightsAddUpAcrossSitesAgainstTheThreshold() throws Exception {
    dnsbl(site("bl.test", 2), site("bl2.test", 2)).put("threshold", 3);
    server.start();
    try (SmtpTestClient c = from("127.0.0.5")) {
      // on one list: 2, under 3
      delivers(c);
    }
    try (SmtpTestClient c = from("127.0.0.6")) {
      // on both: 4
      SmtpTestClient.Reply r = expect(c.command("RCPT TO:<bob@local.example>"), 550);
      // the zones weigh the same: the first named
      assertTrue(r.text().endsWith("blocked using bl.test"), r.toString());
    }
  }

  @Test
  void onlyTheListedCodesCount() throws Exception {
    dnsbl(site("bl.test", 1, "127.0.0.2"));
    server.start();
    try (SmtpTestClient c = from("127.0.0.7")) {
      // listed with 127.0.0.3
      delivers(c);
    }
    try (SmtpTestClient c = from("127.0.0.5")) {
      expect(c.command("RCPT TO:<bob@local.example>"), 550);
    }
  }

  @Test
  void answersOutside127AndErrorCodesAreNoListings() throws Exception {
    dnsbl(site("bl.test", 1), site("bl2.test", 1));
    server.start();
    try (LogCapture log = new LogCapture(); SmtpTestClient c = from("127.0.0.8")) {
      delivers(c);
      log.await("DNSBL bl2\\.test answered 127\\.255\\.255\\.254: an error code");
    }
  }

  @Test
  void anAllowListedClientPassesAlthoughBlockListedSkipsTheGreetingDelayAndItsMessageSaysSo() throws Exception {
    dnsbl(site("bl.test", 2), site("wl.test", -5)).put("allowThreshold", -1);
    // longer than the client waits for the greeting: only an allow-listed client gets it in time
    server.smtp().put("greetingDelay", 60);
    server.start();
    try (SmtpTestClient c = from("127.0.0.7")) {
      delivers(c);
    }
    String message = Files.readString(Path.of(server.nextInbound().getJsonArray("mailboxes").getJsonObject(0)
        .getString("path")), StandardCharsets.ISO_8859_1);
    assertTrue(message.contains("dnswl=pass dns.zone=wl.test policy.ip=127.0.10.1"), message);
  }

  @Test
  void aSilentDnsServerDelaysTheGreetingOnlyToTheBoundAndBlocksNoMail() throws Exception {
    dnsbl(site("bl.test", 1)).put("maxGreetingWait", 0.2);
    dns.mode(TestDnsServer.Mode.SILENT);
    server.start();
    try (LogCapture log = new LogCapture(); SmtpTestClient c = from("127.0.0.5")) {
      delivers(c);
      log.await("DNSBL no verdict for unknown\\[127\\.0\\.0\\.5\\]:\\d+ within 200 ms");
    }
  }

  @Test
  void aFailingDnsServerBlocksNoMail() throws Exception {
    dnsbl(site("bl.test", 1));
    dns.mode(TestDnsServer.Mode.SERVFAIL);
    server.start();
    try (LogCapture log = new LogCapture(); SmtpTestClient c = from("127.0.0.5")) {
      delivers(c);
      log.await("DNSBL bl\\.test gave no answer for unknown\\[127\\.0\\.0\\.5\\]:\\d+: DNS server answered SERVFAIL");
    }
  }

  @Test
  void answersAreCachedAcrossConnections() throws Exception {
    dnsbl(site("bl.test", 1), site("bl.test", 2, "127.0.0.2"));
    server.start();
    for (int i = 0; i < 3; i++) {
      try (SmtpTestClient c = from("127.0.0.5")) {
        expect(c.command("RCPT TO:<bob@local.example>"), 550);
      }
    }
    // one zone named twice, three connections: one query
    assertEquals(1, dns.count("5.0.0.127.bl.test", "A"));
  }

  @Test
  void trustedNetworksAreNotChecked() throws Exception {
    dnsbl(site("bl.test", 1));
    server.config.put("trustedNetworks", new JsonArray().add("127.0.0.5/32"));
    server.start();
    try (SmtpTestClient c = from("127.0.0.5")) {
      delivers(c);
    }
    assertEquals(0, dns.queries().size());
  }

  @Test
  void theSubmissionPortsAreNotChecked() throws Exception {
    dnsbl(site("bl.test", 1));
    server.withSubmission().start();
    try (SmtpTestClient c = new SmtpTestClient("127.0.0.5", server.submissionPort(), 10_000)) {
      // were the lists asked, the greeting would wait for their answer, and the query be logged first
      expect(c.read(), 220);
      expect(c.command("EHLO client.example"), 250);
    }
    assertEquals(0, dns.queries().size());
  }

  @Test
  void aListedClientThatAuthenticatesIsNotRefused() throws Exception {
    dnsbl(site("bl.test", 1));
    server.addUser("alice", "secret");
    server.auth().put("allowPlaintext", true);
    server.tls().put("enabled", false);
    server.start();
    try (SmtpTestClient c = from("127.0.0.5")) {
      expect(c.command("RCPT TO:<bob@local.example>"), 550);
      expect(c.command("RSET"), 250);
      expect(c.command("AUTH PLAIN " + Base64.getEncoder().encodeToString(
          "\0alice\0secret".getBytes(StandardCharsets.US_ASCII))), 235);
      expect(c.command("MAIL FROM:<alice@sender.example>"), 250);
      delivers(c);
    }
  }

  @Test
  void aVerdictThatComesAfterTheGreetingStillCountsForTheCommandsAfterIt() throws Exception {
    dnsbl(site("bl.test", 1)).put("maxGreetingWait", 0.1);
    // the queries go unanswered until the client has been greeted; then the next retry (every half
    // second, for ten) is answered
    server.dns().put("queryTimeout", 500).put("retries", 20);
    dns.mode("5.0.0.127.bl.test", TestDnsServer.Mode.SILENT);
    server.start();
    try (LogCapture log = new LogCapture(); SmtpTestClient c = from("127.0.0.5")) {
      dns.mode("5.0.0.127.bl.test", TestDnsServer.Mode.ANSWER);
      log.await("DNSBL rank 1 for unknown\\[127\\.0\\.0\\.5\\]");
      expect(c.command("RCPT TO:<bob@local.example>"), 550);
    }
  }
}
