package io.postino.it;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.dns.TestDnsServer;
import io.postino.testing.Dsn;
import io.postino.testing.SmtpSink;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.SmtpTestClient.Reply;
import io.postino.testing.TestCertificate;
import io.postino.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * REQUIRETLS (RFC 8689) between two Postinos over loopback. The first (A) relays by static routes
 * through a loopback DNS responder; the second (B, {@code mx-b.test}) has a certificate A trusts,
 * offers REQUIRETLS after STARTTLS, and keeps what it gets in its spool (its own onward route goes
 * nowhere), where the test reads what it recorded. Routes of A:
 * <ul>
 * <li>{@code final.test}, {@code sender.test}: B, whose certificate verifies;</li>
 * <li>{@code nosupport.test}: a SubEthaSMTP server with STARTTLS and a trusted certificate, but
 * without REQUIRETLS;</li>
 * <li>{@code mismatch.test}: B under another name ({@code alias.test}), which its certificate does
 * not name;</li>
 * <li>{@code plaintext.test}: a SubEthaSMTP server without STARTTLS.</li>
 * </ul>
 * Senders are {@code alice@sender.test}, so that reports go back to B too.
 */
class RequireTlsTest {

  @TempDir
  Path dir;
  private TestDnsServer dns;
  private SmtpSink sink;
  private SmtpSink plain;
  private TestServer a;
  private TestServer b;

  @BeforeEach
  void setUp() throws Exception {
    TestCertificate certB = TestCertificate.create("mx-b.test", dir);
    TestCertificate certSink = TestCertificate.create("sink.test", dir);
    sink = new SmtpSink().startWithTls(certSink);
    plain = new SmtpSink().start();
    dns = TestDnsServer.start();
    dns.zone("mx-b.test. 300 IN A 127.0.0.1", "sink.test. 300 IN A 127.0.0.1", "alias.test. 300 IN A 127.0.0.1",
        "plain.test. 300 IN A 127.0.0.1");

    b = new TestServer(Files.createDirectories(dir.resolve("b")));
    b.config.put("hostname", "mx-b.test");
    b.tls().put("certificate", certB.pemFile.toString()).put("key", certB.keyFile.toString());
    b.start();

    a = new TestServer(Files.createDirectories(dir.resolve("a")));
    a.config.put("dns", new JsonObject()
        .put("servers", new JsonArray().add(dns.address()))
        .put("queryTimeout", 500)
        .put("routes", new JsonObject()
            .put("final.test", "mx-b.test:" + b.port())
            .put("sender.test", "mx-b.test:" + b.port())
            .put("nosupport.test", "sink.test:" + sink.port())
            .put("mismatch.test", "alias.test:" + b.port())
            .put("plaintext.test", "plain.test:" + plain.port())));
    a.config.put("delivery", new JsonObject()
        .put("trustedCertificates", new JsonArray().add(certB.pemFile.toString()).add(certSink.pemFile.toString()))
        .put("requireTlsDomains", new JsonArray().add("mismatch.test")));
    a.queue().put("minBackoff", 3600).put("maxBackoff", 3600).put("scanInterval", 0.05);
    a.withSmtps().start();
  }

  @AfterEach
  void tearDown() throws IOException {
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
    sink.close();
    plain.close();
    dns.close();
  }

  private static boolean advertises(Reply ehlo, String keyword) {
    return ehlo.lines().stream().anyMatch(l -> l.substring(4).equals(keyword));
  }

  /** Sends one message to A over STARTTLS, with REQUIRETLS on MAIL FROM or not. */
  private void send(String to, boolean requireTls, String content) throws IOException {
    send(to, requireTls ? " REQUIRETLS" : "", content);
  }

  /** Sends one message to A over STARTTLS with these MAIL FROM parameters. */
  private void send(String to, String mailParameters, String content) throws IOException {
    try (SmtpTestClient c = a.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.startTls(), 220);
      Reply ehlo = expect(c.command("EHLO client.example"), 250);
      assertTrue(advertises(ehlo, "REQUIRETLS"), ehlo.text());
      expect(c.command("MAIL FROM:<alice@sender.test>" + mailParameters), 250);
      expect(c.command("RCPT TO:<" + to + ">"), 250);
      expect(c.command("DATA"), 354);
      c.send(content + ".\r\n");
      expect(c.read(), 250);
    }
  }

  private static String message(String... extraFields) {
    return String.join("", Arrays.stream(extraFields).map(f -> f + "\r\n").toList())
        + "Subject: secret\r\nMessage-ID: <m1@sender.test>\r\n\r\nthe body that must not leak\r\n";
  }

  /** What B holds in its spool: each file's envelope and content. */
  private record Held(JsonObject envelope, byte[] content) {
    List<String> recipients() {
      return envelope.getJsonArray("recipients").stream()
          .map(o -> ((JsonObject) o).getString("local") + "@" + ((JsonObject) o).getString("domain")).toList();
    }

    boolean requireTls() {
      return envelope.getJsonObject("parameters").getBoolean("requireTls", false);
    }

    boolean isReport() {
      return envelope.getJsonObject("sender").getString("local").isEmpty();
    }
  }

  private Held heldBy(TestServer server, String recipient) throws IOException {
    TestServer.await("a message for " + recipient + " in the spool", () -> server.spooled().stream()
        .anyMatch(p -> read(p).recipients().contains(recipient)));
    return server.spooled().stream().map(RequireTlsTest::read).filter(h -> h.recipients().contains(recipient))
        .findFirst().orElseThrow();
  }

  private boolean reachedB(String recipient) {
    return b.spooled().stream().map(RequireTlsTest::read).anyMatch(h -> h.recipients().contains(recipient));
  }

  private static Held read(Path file) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      int nl = 0;
      while (bytes[nl] != '\n') {
        nl++;
      }
      int length = Integer.parseInt(new String(bytes, 0, nl, StandardCharsets.US_ASCII).split(" ")[1]);
      JsonObject envelope = new JsonObject(new String(bytes, nl + 1, length, StandardCharsets.UTF_8));
      return new Held(envelope, Arrays.copyOfRange(bytes, nl + 1 + length + 1, bytes.length));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aRequireTlsMessageGoesToTheNextPostinoWhichRecordsIt() throws Exception {
    send("bob@final.test", true, message());

    JsonObject delivered = a.nextEventFor("bob@final.test");
    assertEquals("delivered", delivered.getString("event"), delivered.encodePrettily());
    JsonObject tls = delivered.getJsonObject("result").getJsonObject("tls");
    assertEquals("requiretls+verify", tls.getString("policy"));
    assertTrue(tls.getBoolean("verified"));
    Held held = heldBy(b, "bob@final.test");
    assertTrue(held.requireTls(), held.envelope().encodePrettily());
  }

  @Test
  void aServerWithoutRequireTlsGetsNothingAndTheSenderAHeadersOnlyReportSentWithRequireTls() throws Exception {
    // RET=FULL is disregarded with REQUIRETLS (RFC 8689 section 5)
    send("bob@nosupport.test", " REQUIRETLS RET=FULL", message());

    JsonObject bounced = a.nextEventFor("bob@nosupport.test");
    assertEquals("bounced", bounced.getString("event"), bounced.encodePrettily());
    assertEquals("5.7.30", bounced.getJsonObject("result").getString("status"));
    assertEquals(0, sink.transactions(), "nothing sent to the server without REQUIRETLS");

    // the report goes back to the sender's domain (B) with REQUIRETLS (RFC 8689 section 5)
    JsonObject reportSent = a.nextEventFor("alice@sender.test");
    assertEquals("delivered", reportSent.getString("event"), reportSent.encodePrettily());
    assertEquals("requiretls+verify", reportSent.getJsonObject("result").getJsonObject("tls").getString("policy"));
    Held report = heldBy(b, "alice@sender.test");
    assertTrue(report.isReport());
    assertTrue(report.requireTls(), report.envelope().encodePrettily());
    Dsn dsn = Dsn.parse(report.content());
    assertEquals("5.7.30", dsn.perRecipient.get(0).get("Status"));
    assertTrue(dsn.returned.contains("Subject: secret"), dsn.returned);
    assertFalse(dsn.returned.contains("must not leak"), "headers only, as if RET=HDRS: " + dsn.returned);
  }

  @Test
  void aCertificateThatDoesNotNameTheHostGetsNothingEvenWhenTheMessageSaysTlsRequiredNo() throws Exception {
    // REQUIRETLS wins over the header field, which is then ignored (RFC 8689 section 4.1)
    send("bob@mismatch.test", true, message("TLS-Required: No"));

    JsonObject bounced = a.nextEventFor("bob@mismatch.test");
    assertEquals("bounced", bounced.getString("event"), bounced.encodePrettily());
    assertEquals("5.7.10", bounced.getJsonObject("result").getString("status"));
    Dsn dsn = Dsn.parse(heldBy(b, "alice@sender.test").content());
    assertEquals("5.7.10", dsn.perRecipient.get(0).get("Status"));
    assertFalse(reachedB("bob@mismatch.test"));
  }

  @Test
  void aServerWithoutStartTlsGetsNothingNotEvenOverTheSessionLeftOpenByAnotherMessage() throws Exception {
    send("carol@plaintext.test", false, message());
    assertEquals("delivered", a.nextEventFor("carol@plaintext.test").getString("event"));
    assertEquals(1, plain.transactions());

    send("bob@plaintext.test", true, message());
    JsonObject bounced = a.nextEventFor("bob@plaintext.test");
    assertEquals("bounced", bounced.getString("event"), bounced.encodePrettily());
    assertEquals("5.7.10", bounced.getJsonObject("result").getString("status"));
    assertEquals(1, plain.transactions(), "nothing more sent in plaintext");
    assertEquals("5.7.10", Dsn.parse(heldBy(b, "alice@sender.test").content()).perRecipient.get(0).get("Status"));
  }

  @Test
  void tlsRequiredNoSetsThePolicyAsideForAHostWhoseCertificateDoesNotVerify() throws Exception {
    send("carol@mismatch.test", false, message());
    JsonObject deferred = a.nextEventFor("carol@mismatch.test");
    assertEquals("deferred", deferred.getString("event"), "requireTlsDomains holds it: " + deferred.encodePrettily());

    send("dave@mismatch.test", false, message("TLS-Required: No"));
    JsonObject delivered = a.nextEventFor("dave@mismatch.test");
    assertEquals("delivered", delivered.getString("event"), delivered.encodePrettily());
    JsonObject tls = delivered.getJsonObject("result").getJsonObject("tls");
    assertEquals("opportunistic", tls.getString("policy"));
    assertFalse(tls.getBoolean("verified"));
    Held held = heldBy(b, "dave@mismatch.test");
    assertFalse(held.requireTls());
    assertTrue(new String(held.content(), StandardCharsets.UTF_8).contains("TLS-Required: No"), "the field is kept");
    assertFalse(reachedB("carol@mismatch.test"));
  }

  @Test
  void requireTlsIsOfferedAndTakenOnlyOverTls() throws Exception {
    try (SmtpTestClient c = a.connect()) {
      Reply plain = expect(c.command("EHLO client.example"), 250);
      assertFalse(advertises(plain, "REQUIRETLS"), plain.text());
      Reply refused = expect(c.command("MAIL FROM:<alice@sender.test> REQUIRETLS"), 530);
      assertEquals("5.7.10", refused.enhanced());
      expect(c.command("MAIL FROM:<alice@sender.test>"), 250);
      expect(c.command("RSET"), 250);
      expect(c.startTls(), 220);
      Reply secure = expect(c.command("EHLO client.example"), 250);
      assertTrue(advertises(secure, "REQUIRETLS"), secure.text());
      expect(c.command("MAIL FROM:<alice@sender.test> REQUIRETLS"), 250);
    }
    try (SmtpTestClient c = a.connectSmtps()) {
      Reply implicit = expect(c.command("EHLO client.example"), 250);
      assertTrue(advertises(implicit, "REQUIRETLS"), "implicit TLS: " + implicit.text());
    }
  }
}
