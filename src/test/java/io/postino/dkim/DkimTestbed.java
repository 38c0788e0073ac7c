package io.postino.dkim;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;

/**
 * A Postino that signs for {@code signer.example} with an RSA key (selector {@code s2026r}) and an
 * Ed25519 key ({@code s2026e}), both published on a loopback DNS responder; user alice may
 * authenticate without TLS; mail for {@code bob@local.example} lands in a Maildir.
 */
final class DkimTestbed implements AutoCloseable {

  /** RSA key generation takes seconds on a busy machine: one pair for every test. */
  private static KeyPair rsaPair;
  private static KeyPair edPair;

  final Path dir;
  final TestDnsServer dns;
  final TestServer server;

  DkimTestbed(Path dir) throws Exception {
    this.dir = dir;
    this.dns = TestDnsServer.start();
    Files.createDirectories(dir.resolve("keys"));
    KeyFiles.write(dir.resolve("keys/rsa.pem"), rsa().getPrivate());
    KeyFiles.write(dir.resolve("keys/ed.pem"), ed().getPrivate());
    dns.zone(txt("s2026r._domainkey.signer.example.", new KeyRecord(Algorithm.RSA_SHA256, rsa().getPublic()).text()),
        txt("s2026e._domainkey.signer.example.", new KeyRecord(Algorithm.ED25519_SHA256, ed().getPublic()).text()));
    server = new TestServer(dir).untrusted().addUser("alice", "secret");
    server.auth().put("allowPlaintext", true);
    server.tls().put("enabled", false);
    server.dns().put("servers", new JsonArray().add(dns.address()));
    server.config.put("dkim", new JsonObject().put("domains", new JsonObject().put("signer.example", new JsonArray()
        .add(new JsonObject().put("selector", "s2026r").put("key", dir.resolve("keys/rsa.pem").toString()))
        .add(new JsonObject().put("selector", "s2026e").put("key", dir.resolve("keys/ed.pem").toString())))));
  }

  static synchronized KeyPair rsa() throws NoSuchAlgorithmException {
    if (rsaPair == null) {
      KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
      rsa.initialize(2048);
      rsaPair = rsa.generateKeyPair();
    }
    return rsaPair;
  }

  static synchronized KeyPair ed() throws NoSuchAlgorithmException {
    if (edPair == null) {
      edPair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }
    return edPair;
  }

  JsonObject dkim() {
    return server.config.getJsonObject("dkim");
  }

  /** A TXT record line, its text split into strings of at most 255 octets. */
  static String txt(String name, String text) {
    StringBuilder line = new StringBuilder(name + " 300 IN TXT");
    for (int i = 0; i < text.length(); i += 200) {
      line.append(" \"").append(text, i, Math.min(text.length(), i + 200)).append('"');
    }
    return line.toString();
  }

  /** Sends a message to bob@local.example, as alice when {@code authenticate}; returns what bob's Maildir got. */
  Path send(String message, boolean authenticate) throws Exception {
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      if (authenticate) {
        expect(c.command("AUTH PLAIN " + Base64.getEncoder().encodeToString("\0alice\0secret".getBytes(
            StandardCharsets.US_ASCII))), 235);
      }
      expect(c.startData("alice@signer.example", "bob@local.example"), 354);
      expect(c.command(message + "\r\n."), 250);
    }
    return delivered();
  }

  /** The next message delivered to bob@local.example. */
  Path delivered() {
    String path = server.nextInbound().getJsonArray("mailboxes").getJsonObject(0).getString("path");
    return Path.of(path);
  }

  /** dkimpy's and OpenDKIM's results, which must agree, for every signature of a message. */
  List<String> verify(Path message) throws Exception {
    DkimPeers.Results p = DkimPeers.dkimpy(message, dns.port(), dir);
    DkimPeers.Results o = DkimPeers.opendkim(message, dns.port(), dir);
    assertEquals(p.results(), o.results(), "dkimpy: " + p.output() + "\nopendkim: " + o.output() + "\n"
        + Files.readString(message, StandardCharsets.ISO_8859_1));
    return p.results();
  }

  @Override
  public void close() throws Exception {
    if (server.vertx != null) {
      server.close();
    }
    dns.close();
  }
}
