package io.postino.bus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.bus.StructuredMessage.Attachment;
import io.postino.bus.StructuredMessage.NamedAddress;
import io.postino.smtp.MailAddress;
import io.postino.smtp.MailParameters.Body;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The postino.send request and reply JSON: both forms read back to what was written, and what is refused. */
class SendRequestTest {

  @Test
  void rawTextRoundTripWithCrlfLineEnds() {
    RawMessage raw = RawMessage.text("app@example.org", List.of("bob@example.com", "carol@example.net"),
        "Subject: hi\n\nline one\nline two");

    assertEquals("Subject: hi\r\n\r\nline one\r\nline two\r\n", new String(raw.content(), StandardCharsets.UTF_8));
    assertEquals(Body.SEVEN_BIT, raw.body());
    JsonObject json = new JsonObject(raw.toJson().encode());
    assertEquals("raw", json.getString("form"));
    assertEquals("Subject: hi\r\n\r\nline one\r\nline two\r\n", json.getString("content"));
    RawMessage back = (RawMessage) SendRequest.fromJson(json);
    assertEquals(raw.sender(), back.sender());
    assertEquals(raw.recipients(), back.recipients());
    assertArrayEquals(raw.content(), back.content());
  }

  @Test
  void rawOctetsThatAreNotTextTravelAsBase64() {
    byte[] latin1 = "Subject: caf\u00e9\r\n\r\n\u00e9t\u00e9\r\n".getBytes(StandardCharsets.ISO_8859_1);
    RawMessage raw = RawMessage.octets("", List.of("bob@example.com"), latin1);

    assertEquals(MailAddress.NULL_SENDER, raw.sender());
    assertEquals(Body.EIGHT_BIT_MIME, raw.body());
    JsonObject json = raw.toJson();
    assertFalse(json.containsKey("content"));
    assertEquals("", json.getString("sender"));
    RawMessage back = (RawMessage) SendRequest.fromJson(json);
    assertArrayEquals(latin1, back.content());
    assertEquals(Body.EIGHT_BIT_MIME, back.body());
  }

  @Test
  void internationalizedAddressesImplySmtpUtf8() {
    RawMessage raw = RawMessage.text("app@example.org", List.of("j\u00f6rg@b\u00fccher.example"), "Subject: x\n\nhi\n");
    assertTrue(raw.smtpUtf8());
    assertTrue(((RawMessage) SendRequest.fromJson(raw.toJson().put("smtpUtf8", false))).smtpUtf8());
  }

  @Test
  void structuredRoundTrip() {
    StructuredMessage mail = StructuredMessage.of(NamedAddress.of("Alice", "alice@example.org"),
            List.of(NamedAddress.of("bob@example.com")), "Report", "Hi Bob,\nsee attached.")
        .withCc(List.of(NamedAddress.of("Carol", "carol@example.net")))
        .withBcc(List.of(NamedAddress.of("archive@example.org"), NamedAddress.of("bob@example.com")))
        .withHtml("<p>Hi Bob</p>")
        .withAttachment(new Attachment("r.csv", "text/csv; charset=UTF-8", "a,b\n".getBytes(StandardCharsets.UTF_8)));

    JsonObject json = new JsonObject(mail.toJson().encode());

    assertEquals("bob@example.com", json.getJsonArray("to").getString(0));
    assertEquals(new JsonObject().put("name", "Alice").put("address", "alice@example.org"), json.getJsonObject("from"));
    StructuredMessage back = (StructuredMessage) SendRequest.fromJson(json);
    assertEquals(mail.from(), back.from());
    assertEquals(mail.cc(), back.cc());
    assertEquals("<p>Hi Bob</p>", back.html());
    assertArrayEquals(mail.attachments().get(0).content(), back.attachments().get(0).content());
    // every recipient once, bcc included
    assertEquals(List.of(MailAddress.parse("bob@example.com"), MailAddress.parse("carol@example.net"),
        MailAddress.parse("archive@example.org")), back.recipients());
    assertEquals(MailAddress.parse("alice@example.org"), back.sender());
  }

  @Test
  void replyRoundTrip() {
    assertEquals(new SendReply("1M8P6JEYC000GV7"), SendReply.fromJson(new SendReply("1M8P6JEYC000GV7").toJson()));
  }

  private static JsonObject raw() {
    return new JsonObject().put("version", 1).put("form", "raw").put("sender", "app@example.org")
        .put("recipients", new JsonArray().add("bob@example.com")).put("content", "Subject: x\r\n\r\nhi\r\n");
  }

  private static JsonObject structured() {
    return new JsonObject().put("version", 1).put("form", "structured").put("from", "app@example.org")
        .put("to", new JsonArray().add("bob@example.com")).put("text", "hi");
  }

  private static void refused(JsonObject json, String reason) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SendRequest.fromJson(json, 1000));
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }

  @Test
  void malformedRequestsAreRefusedWithTheirReason() {
    refused(raw().put("version", 2), "version");
    refused(raw().put("form", "mime"), "form");
    refused(raw().put("recipients", new JsonArray()), "at least one recipient");
    refused(raw().put("recipients", new JsonArray().add("bob@example.com\r\nDATA")), "not a valid mail address");
    refused(raw().put("recipients", new JsonArray().add("bob@example.com> NOTIFY=NEVER")), "not a valid mail address");
    refused(raw().put("sender", "@relay.example:app@example.org"), "not a valid mail address");
    refused(raw().put("contentBase64", "aGk="), "one of");
    refused(raw().put("content", ""), "empty content");
    refused(rawBase64("###"), "base64");
    refused(raw().put("body", "7BIT").put("content", "Subject: caf\u00e9\r\n\r\nx\r\n"), "8-bit");
    refused(structured().put("subject", "hi\r\nBcc: victim@example.com"), "control characters");
    refused(structured().put("from", new JsonObject().put("name", "A\nB").put("address", "a@example.org")),
        "control characters");
    refused(structured().put("to", new JsonArray()), "at least one recipient");
    refused(structured().put("attachments", new JsonArray().add(new JsonObject().put("filename", "a.txt")
        .put("contentType", "text/plain\r\nX-Evil: 1").put("contentBase64", "aGk="))), "not a content type");
  }

  private static JsonObject rawBase64(String base64) {
    JsonObject json = raw();
    json.remove("content");
    return json.put("contentBase64", base64);
  }

  @Test
  void tooLargeContentIsRefusedBeforeDecoding() {
    refused(raw().put("content", "x".repeat(1001)), "too large");
    // 2000 characters of base64 are at least 1498 octets: refused without decoding (it is not even valid)
    refused(rawBase64("!".repeat(2000)), "too large");
    String attachment = java.util.Base64.getEncoder().encodeToString(new byte[600]);
    refused(structured().put("attachments", new JsonArray()
        .add(new JsonObject().put("filename", "a").put("contentType", "application/octet-stream").put("contentBase64", attachment))
        .add(new JsonObject().put("filename", "b").put("contentType", "application/octet-stream").put("contentBase64", attachment))),
        "too large");
  }
}
