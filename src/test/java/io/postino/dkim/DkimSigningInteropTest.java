package io.postino.dkim;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Messages Postino signs, received over SMTP from an authenticated client and delivered to a
 * Maildir, verify with dkimpy and OpenDKIM fetching the key records from a DNS responder on
 * loopback: both signatures of a dual-signed (RSA and Ed25519) message, relaxed and simple; a
 * message altered after signing fails with both.
 */
class DkimSigningInteropTest {

  @TempDir
  Path dir;
  TestServer server;
  TestDnsServer dns;

  /** RSA key generation takes seconds on a busy machine: one pair for the class. */
  static KeyPair rsaPair;
  static KeyPair edPair;

  @BeforeAll
  static void keys() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    rsaPair = rsa.generateKeyPair();
    edPair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
  }

  @BeforeEach
  void setUp() throws Exception {
    dns = TestDnsServer.start();
    Files.createDirectories(dir.resolve("keys"));
    KeyFiles.write(dir.resolve("keys/rsa.pem"), rsaPair.getPrivate());
    KeyFiles.write(dir.resolve("keys/ed.pem"), edPair.getPrivate());
    dns.zone(txt("s2026r._domainkey.signer.example.", new KeyRecord(Algorithm.RSA_SHA256, rsaPair.getPublic()).text()),
        txt("s2026e._domainkey.signer.example.", new KeyRecord(Algorithm.ED25519_SHA256, edPair.getPublic()).text()));
    server = new TestServer(dir).untrusted().addUser("alice", "secret");
    server.auth().put("allowPlaintext", true);
    server.tls().put("enabled", false);
    server.config.put("dkim", new JsonObject().put("domains", new JsonObject().put("signer.example", new JsonArray()
        .add(new JsonObject().put("selector", "s2026r").put("key", dir.resolve("keys/rsa.pem").toString()))
        .add(new JsonObject().put("selector", "s2026e").put("key", dir.resolve("keys/ed.pem").toString())))));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (server.vertx != null) {
      server.close();
    }
    dns.close();
  }

  /** A TXT record line, its text split into strings of at most 255 octets. */
  static String txt(String name, String text) {
    StringBuilder line = new StringBuilder(name + " 300 IN TXT");
    for (int i = 0; i < text.length(); i += 200) {
      line.append(" \"").append(text, i, Math.min(text.length(), i + 200)).append('"');
    }
    return line.toString();
  }

  /** Sends a message as authenticated alice and returns the file delivered to bob's Maildir. */
  private Path sendAuthenticated(String message) throws Exception {
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("AUTH PLAIN " + Base64.getEncoder().encodeToString("\0alice\0secret".getBytes(
          StandardCharsets.US_ASCII))), 235);
      expect(c.startData("alice@signer.example", "bob@local.example"), 354);
      expect(c.command(message + "\r\n."), 250);
    }
    server.nextInbound();
    List<Path> files = server.mailbox("local.example", "bob");
    assertEquals(1, files.size());
    return files.get(0);
  }

  static final String MESSAGE = "From: Alice <alice@signer.example>\r\n"
      + "To: Bob <bob@local.example>\r\n"
      + "Subject: dinner   is\r\n\tready\r\n"
      + "Date: Sat, 05 Dec 2026 10:00:00 +0000\r\n"
      + "Message-ID: <m1@signer.example>\r\n"
      + "MIME-Version: 1.0\r\n"
      + "Content-Type: text/plain; charset=us-ascii\r\n"
      + "List-Id: <dinner.signer.example>\r\n"
      + "X-Not-Signed: whatever\r\n"
      + "\r\n"
      + "Hi Bob,  \r\n"
      + "\r\n"
      + "we lost the game.\t Are you hungry yet?\r\n"
      + "\r\n"
      + "\r\n";

  @Test
  void dualSignedRelaxedVerifiesWithDkimpyAndOpendkim() throws Exception {
    server.start();
    Path delivered = sendAuthenticated(MESSAGE);
    String text = Files.readString(delivered, StandardCharsets.ISO_8859_1);
    assertEquals(2, count(text, "DKIM-Signature:"), text);
    assertTrue(text.contains("a=rsa-sha256") && text.contains("a=ed25519-sha256"), text);
    assertTrue(text.contains("c=relaxed/relaxed"), text);
    assertTrue(text.contains("h=From:From:Subject:Date:To:Message-ID:MIME-Version:Content-Type:List-Id;")
        || text.replaceAll("\r\n\t", "").contains("h=From:From:Subject:Date:To:Message-ID:MIME-Version:Content-Type:List-Id;"),
        text);
    assertAllPeersVerify(delivered);
  }

  @Test
  void simpleCanonicalizationVerifiesWithDkimpyAndOpendkim() throws Exception {
    server.config.getJsonObject("dkim").put("canonicalization", "simple/simple").put("expiration", 86400);
    server.start();
    Path delivered = sendAuthenticated(MESSAGE);
    String text = Files.readString(delivered, StandardCharsets.ISO_8859_1);
    assertTrue(text.contains("c=simple/simple"), text);
    assertTrue(text.contains(" x="), text);
    assertAllPeersVerify(delivered);
  }

  @Test
  void aMessageAlteredAfterSigningFailsWithBoth() throws Exception {
    server.start();
    Path delivered = sendAuthenticated(MESSAGE);
    Path altered = dir.resolve("altered.eml");
    Files.writeString(altered, Files.readString(delivered, StandardCharsets.ISO_8859_1)
        .replace("we lost the game.", "we won the game."), StandardCharsets.ISO_8859_1);
    DkimPeers.Results p = DkimPeers.dkimpy(altered, dns.port(), dir);
    assertEquals(List.of("rsa-sha256=fail", "ed25519-sha256=fail"), p.results(), p.output());
    DkimPeers.Results o = DkimPeers.opendkim(altered, dns.port(), dir);
    assertEquals(List.of("rsa-sha256=fail", "ed25519-sha256=fail"), o.results(), o.output());
    // and a header field added where the signature covers it: a second From
    Path from = dir.resolve("from.eml");
    String text = Files.readString(delivered, StandardCharsets.ISO_8859_1);
    Files.writeString(from, text.replace("To: Bob", "From: Mallory <m@signer.example>\r\nTo: Bob"),
        StandardCharsets.ISO_8859_1);
    DkimPeers.Results added = DkimPeers.dkimpy(from, dns.port(), dir);
    assertEquals(List.of("rsa-sha256=fail", "ed25519-sha256=fail"), added.results(), added.output());
  }

  private void assertAllPeersVerify(Path message) throws Exception {
    DkimPeers.Results p = DkimPeers.dkimpy(message, dns.port(), dir);
    assertEquals(List.of("rsa-sha256=pass", "ed25519-sha256=pass"), p.results(),
        "dkimpy: " + p.output() + "\n" + Files.readString(message));
    DkimPeers.Results o = DkimPeers.opendkim(message, dns.port(), dir);
    assertEquals(List.of("rsa-sha256=pass", "ed25519-sha256=pass"), o.results(),
        "opendkim: " + o.output() + "\n" + Files.readString(message));
  }

  private static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}
