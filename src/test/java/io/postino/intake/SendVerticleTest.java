package io.postino.intake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.PostinoInternals;
import io.postino.bus.RawMessage;
import io.postino.bus.SendReply;
import io.postino.bus.StructuredMessage;
import io.postino.bus.StructuredMessage.Attachment;
import io.postino.bus.StructuredMessage.NamedAddress;
import io.postino.testing.SmtpSink;
import io.postino.testing.TestServer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Messages submitted on postino.send by code on the event bus: spooled before the reply, then
 * delivered to a local mailbox or relayed to a real SMTP server (SubEthaSMTP) like mail received
 * over SMTP. These are the README's postino.send examples.
 */
class SendVerticleTest {

  @TempDir
  Path dir;
  TestServer server;
  SmtpSink sink;

  @BeforeEach
  void setUp() {
    sink = new SmtpSink().start();
    server = new TestServer(dir).untrusted();
    server.dns().getJsonObject("routes").put("remote.example", "127.0.0.1:" + sink.port());
    server.smtp().put("maxMessageSize", 100_000).put("maxRecipients", 3);
  }

  @AfterEach
  void tearDown() {
    server.close();
    sink.close();
  }

  private String send(JsonObject request) {
    return server.vertx.eventBus().<JsonObject>request("postino.send", request)
        .map(reply -> SendReply.fromJson(reply.body()).queueId())
        .await();
  }

  @Test
  void aRawMessageReachesALocalMailbox() throws Exception {
    server.start();
    var vertx = server.vertx;
    // --- example: postino.send, raw (README, "postino.send") ---
    RawMessage message = RawMessage.text("app@example.org", List.of("bob@local.example"),
        "From: app@example.org\nTo: bob@local.example\nSubject: Hello\n\nHi Bob\n");
    String queueId = vertx.eventBus().<JsonObject>request("postino.send", message.toJson())
        .map(reply -> SendReply.fromJson(reply.body()).queueId())
        .await();
    // --- end of example ---

    JsonObject inbound = server.nextInbound();
    assertEquals(queueId, inbound.getString("queueId"));
    assertEquals("app@example.org", inbound.getString("sender"));
    String delivered = Files.readString(Path.of(inbound.getJsonArray("mailboxes").getJsonObject(0).getString("path")));
    assertTrue(delivered.contains("Received: from local (event bus)\r\n\tby mx.test.example (Postino) with LOCAL id "
        + queueId + ";\r\n\t"), delivered);
    assertTrue(delivered.endsWith("\r\nFrom: app@example.org\r\nTo: bob@local.example\r\nSubject: Hello\r\n\r\nHi Bob\r\n"),
        delivered);
  }

  @Test
  void aStructuredMessageIsBuiltAndRelayedWithoutAuthentication() throws Exception {
    server.start();
    var vertx = server.vertx;
    byte[] pdf = "%PDF-1.4 not really\r\n".getBytes(StandardCharsets.US_ASCII);
    // --- example: postino.send, structured (README, "postino.send") ---
    StructuredMessage mail = StructuredMessage.of(NamedAddress.of("Alice", "alice@example.org"),
            List.of(NamedAddress.of("Bob", "bob@remote.example")), "Your report", "Hi Bob,\nthe report is attached.")
        .withBcc(List.of(NamedAddress.of("archive@remote.example")))
        .withHtml("<p>Hi Bob,</p><p>the report is attached.</p>")
        .withAttachment(new Attachment("report.pdf", "application/pdf", pdf));
    String queueId = vertx.eventBus().<JsonObject>request("postino.send", mail.toJson())
        .map(reply -> SendReply.fromJson(reply.body()).queueId())
        .await();
    // --- end of example ---

    SmtpSink.Received received = sink.next();
    assertEquals("alice@example.org", received.from());
    assertEquals(List.of("bob@remote.example", "archive@remote.example"), received.recipients());
    MimeMessage m = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(received.data()));
    assertTrue(m.getHeader("Received")[0].contains("with LOCAL id " + queueId), m.getHeader("Received")[0]);
    assertEquals("<" + queueId + "@mx.test.example>", m.getMessageID());
    assertEquals("Your report", m.getSubject());
    assertNull(m.getHeader("Bcc"));
    Multipart mixed = (Multipart) m.getContent();
    assertArrayEquals(pdf, mixed.getBodyPart(1).getInputStream().readAllBytes());

    JsonObject event = server.nextEventFor("bob@remote.example");
    assertEquals("delivered", event.getString("event"));
    assertEquals(queueId, event.getString("queueId"));
  }

  @Test
  void eightBitOctetsAreRelayedExactly() throws Exception {
    server.start();
    byte[] latin1 = "Subject: caf\u00e9\r\nContent-Type: text/plain; charset=ISO-8859-1\r\n\r\n\u00e9t\u00e9\r\n"
        .getBytes(StandardCharsets.ISO_8859_1);

    String queueId = send(RawMessage.octets("app@example.org", List.of("bob@remote.example"), latin1).toJson());

    byte[] data = sink.next().data();
    assertArrayEquals(latin1, Arrays.copyOfRange(data, data.length - latin1.length, data.length));
    assertTrue(new String(data, StandardCharsets.ISO_8859_1).startsWith("Received: from local (event bus)"));
    JsonObject event = server.nextEventFor("bob@remote.example");
    assertEquals("delivered", event.getString("event"));
    assertEquals(queueId, event.getString("queueId"));
  }

  @Test
  void theReplyComesOnceTheMessageIsInTheSpool() {
    server.start();

    // remote.example aside, remote domains go nowhere in tests: the message stays in the spool
    String queueId = send(RawMessage.text("", List.of("bob@local.example", "carol@elsewhere.example"),
        "Subject: both\n\nhi\n").toJson());

    // in the spool (in memory or in its file) before the reply; its file, once written, says how
    assertEquals(queueId, PostinoInternals.spool(server.postino).read(queueId).await().queueId(), "spooled before the reply");
    Path file = server.spoolFile(queueId);
    JsonObject envelope = TestServer.spooledEnvelope(file);
    assertEquals("LOCAL", envelope.getString("protocol"));
    assertEquals(new JsonObject().put("local", "").put("domain", ""), envelope.getJsonObject("sender"));
    JsonArray rcpts = envelope.getJsonArray("recipients");
    assertEquals(true, rcpts.getJsonObject(0).getBoolean("isLocal"));
    assertEquals(false, rcpts.getJsonObject(1).getBoolean("isLocal"));
  }

  private int failureCode(Object request) {
    ReplyException e = assertThrows(ReplyException.class,
        () -> server.vertx.eventBus().request("postino.send", request).await());
    return e.failureCode();
  }

  @Test
  void badRequestsFailWith400() {
    server.start();
    JsonObject valid = RawMessage.text("app@example.org", List.of("bob@local.example"), "Subject: x\n\nhi\n").toJson();

    assertEquals(SendReply.BAD_REQUEST, failureCode("not json"));
    assertEquals(SendReply.BAD_REQUEST, failureCode(valid.copy().put("version", 7)));
    assertEquals(SendReply.BAD_REQUEST, failureCode(valid.copy().put("sender", "no-at-sign")));
    assertEquals(SendReply.BAD_REQUEST, failureCode(valid.copy().put("content", "x".repeat(100_001))));
    assertEquals(SendReply.BAD_REQUEST, failureCode(valid.copy().put("recipients",
        new JsonArray().add("a@local.example").add("b@local.example").add("c@local.example").add("d@local.example"))));
    // within the limit as fields, over it once built (base64 takes a third more)
    String attachment = java.util.Base64.getEncoder().encodeToString(new byte[90_000]);
    assertEquals(SendReply.BAD_REQUEST, failureCode(new JsonObject().put("version", 1).put("form", "structured")
        .put("from", "app@example.org").put("to", new JsonArray().add("bob@local.example"))
        .put("attachments", new JsonArray().add(new JsonObject().put("filename", "zeros.bin")
            .put("contentType", "application/octet-stream").put("contentBase64", attachment)))));
    assertTrue(server.spooled().isEmpty());
  }

  @Test
  void aSpoolThatCannotWriteFailsWith451() throws Exception {
    server.start();
    // small messages go through the journal, larger ones through tmp: neither can be written
    Files.delete(server.dir.resolve("spool/tmp"));
    Files.delete(server.dir.resolve("spool/journal"));

    assertEquals(SendReply.SPOOL_FAILURE,
        failureCode(RawMessage.text("app@example.org", List.of("bob@local.example"), "Subject: x\n\nhi\n").toJson()));
  }
}
