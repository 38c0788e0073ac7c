package io.postino.dmarc;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.dkim.Algorithm;
import io.postino.dkim.BodyHash;
import io.postino.dkim.Canonicalization;
import io.postino.dkim.DkimKey;
import io.postino.dkim.KeyRecord;
import io.postino.dkim.SignatureBuilder;
import io.postino.dns.TestDnsServer;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPF and DMARC end to end over SMTP: {@code sender.example} publishes SPF for 127.0.0.2 only, a
 * DKIM key (selector {@code s1}) and {@code p=reject}; clients connect from 127.0.0.2 (authorised)
 * or 127.0.0.3 (not), none of them trusted, to a Postino whose DNS is a responder on loopback.
 */
class SenderAuthenticationTest {

  private static final String AUTHORISED = "127.0.0.2";
  private static final String SPOOFER = "127.0.0.3";

  @TempDir
  Path dir;
  private TestDnsServer dns;
  private TestServer server;
  private KeyPair key;

  @BeforeEach
  void start() throws Exception {
    key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    dns = TestDnsServer.start();
    dns.zone("sender.example. 300 IN TXT \"v=spf1 ip4:" + AUTHORISED + " -all\"",
        "_dmarc.sender.example. 300 IN TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@sender.example\"",
        "s1._domainkey.sender.example. 300 IN TXT \"" + new KeyRecord(Algorithm.ED25519_SHA256, key.getPublic()).text()
            + "\"",
        "_dmarc.careful.example. 300 IN TXT \"v=DMARC1; p=quarantine\"");
    server = new TestServer(dir).untrusted();
    server.tls().put("enabled", false);
    server.dns().put("servers", new JsonArray().add(dns.address())).put("queryTimeout", 2000);
    server.config.put("spf", new JsonObject().put("enabled", true));
    server.config.put("dmarc", new JsonObject().put("enabled", true));
  }

  @AfterEach
  void stop() throws Exception {
    if (server.vertx != null) {
      server.close();
    }
    dns.close();
  }

  private String message(String from, boolean signed) throws Exception {
    List<String> fields = List.of("From: Boss <" + from + ">", "To: bob@local.example", "Subject: quarterly figures",
        "Date: Sat, 05 Dec 2026 12:00:00 +0000", "Message-ID: <q4@sender.example>");
    String body = "The figures are attached.\r\n";
    String header = String.join("\r\n", fields) + "\r\n";
    if (!signed) {
      return header + "\r\n" + body;
    }
    BodyHash hash = new BodyHash(Canonicalization.RELAXED);
    byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
    hash.update(bytes, 0, bytes.length);
    String signature = SignatureBuilder.sign(new DkimKey("sender.example", "s1", Algorithm.ED25519_SHA256,
        key.getPrivate()), fields, hash.digest(), Canonicalization.RELAXED, Canonicalization.RELAXED,
        1_796_500_000L, -1);
    return signature + header + "\r\n" + body;
  }

  /** Sends a message from a client address; returns the final reply. */
  private SmtpTestClient.Reply send(String clientAddress, String helo, String mailFrom, String message)
      throws Exception {
    try (SmtpTestClient c = new SmtpTestClient(clientAddress, server.port(), 10_000)) {
      expect(c.read(), 220);
      expect(c.command("EHLO " + helo), 250);
      SmtpTestClient.Reply mail = c.command("MAIL FROM:<" + mailFrom + ">");
      if (mail.code() != 250) {
        return mail;
      }
      expect(c.command("RCPT TO:<bob@local.example>"), 250);
      expect(c.command("DATA"), 354);
      return c.command(message + "\r\n.");
    }
  }

  @Test
  void spoofedFromOfARejectDomainIsRefusedAtTheEndOfData() throws Exception {
    server.start();
    // the envelope is the spoofer's own (no SPF record), the author domain is not
    SmtpTestClient.Reply reply = send(SPOOFER, "spoofer.test", "x@spoofer.test", message("boss@sender.example", false));
    assertEquals(550, reply.code(), reply.toString());
    assertEquals("5.7.1", reply.enhanced());
    assertTrue(reply.text().contains("sender.example"), reply.toString());
    // neither delivered nor kept
    assertEquals(List.of(), server.spooled());
    assertEquals(List.of(), server.mailbox("local.example", "bob"));
  }

  @Test
  void spoofedEnvelopeSenderIsRefusedAtMailFrom() throws Exception {
    server.start();
    SmtpTestClient.Reply reply = send(SPOOFER, "spoofer.test", "boss@sender.example", message("boss@sender.example",
        false));
    assertEquals(550, reply.code(), reply.toString());
    assertEquals("5.7.23", reply.enhanced());
    assertTrue(reply.text().contains("SPF fail for MAIL FROM boss@sender.example"), reply.toString());
  }

  @Test
  void authorisedSignedMessageIsDeliveredWithEveryResult() throws Exception {
    server.start();
    SmtpTestClient.Reply reply = send(AUTHORISED, "mail.sender.example", "boss@sender.example",
        message("boss@sender.example", true));
    assertEquals(250, reply.code(), reply.toString());
    Path delivered = Path.of(server.nextInbound().getJsonArray("mailboxes").getJsonObject(0).getString("path"));
    String header = Files.readString(delivered, StandardCharsets.ISO_8859_1);
    header = header.substring(header.indexOf("Authentication-Results:"));
    header = header.substring(0, header.indexOf("\r\nReceived:"));
    assertTrue(header.startsWith("Authentication-Results: mx.test.example;\r\n\tspf=none"), header);
    assertTrue(header.contains(" smtp.helo=mail.sender.example;\r\n\tspf=pass (sender.example: 127.0.0.2 is authorized"
        + " by ip4) smtp.mailfrom=boss@sender.example;\r\n\tdkim=pass header.d=sender.example header.s=s1"), header);
    assertTrue(header.endsWith(";\r\n\tdmarc=pass (p=reject sp=reject dis=none) header.from=sender.example"), header);
  }

  @Test
  void quarantinedMessageIsDeliveredMarked() throws Exception {
    server.start();
    SmtpTestClient.Reply reply = send(SPOOFER, "spoofer.test", "x@spoofer.test", message("boss@careful.example", false));
    assertEquals(250, reply.code(), reply.toString());
    Path delivered = Path.of(server.nextInbound().getJsonArray("mailboxes").getJsonObject(0).getString("path"));
    String text = Files.readString(delivered, StandardCharsets.ISO_8859_1);
    assertTrue(text.contains("dmarc=fail (p=quarantine sp=quarantine dis=quarantine) header.from=careful.example\r\n"
        + "X-Postino-Quarantine: DMARC policy of careful.example\r\n"), text);
  }

  @Test
  void trustedClientsAreNotChecked() throws Exception {
    server.config.put("trustedNetworks", new JsonArray().add(SPOOFER + "/32"));
    server.start();
    SmtpTestClient.Reply reply = send(SPOOFER, "spoofer.test", "boss@sender.example", message("boss@sender.example",
        false));
    assertEquals(250, reply.code(), reply.toString());
    assertEquals(0, dns.count("sender.example", "TXT"));
  }
}
