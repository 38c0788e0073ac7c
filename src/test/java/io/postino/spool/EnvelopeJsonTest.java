package io.postino.spool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.smtp.MailAddress;
import io.postino.smtp.MailParameters;
import io.postino.smtp.RcptParameters;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The envelope as the spool keeps it: REQUIRETLS (RFC 8689) recorded, and absent in files written before it. */
class EnvelopeJsonTest {

  private static Envelope envelope(MailParameters parameters) {
    return new Envelope("Q1", new MailAddress("alice", "example.org"), parameters,
        List.of(new Envelope.Recipient(new MailAddress("bob", "example.com"), RcptParameters.NONE, false)),
        "client.example.org", "192.0.2.1", "ESMTPS", null, Instant.parse("2026-05-01T10:00:00Z"));
  }

  @Test
  void requireTlsIsKept() {
    Envelope e = envelope(new MailParameters(100, MailParameters.Body.SEVEN_BIT, false, null, null, null, true));
    JsonObject json = new JsonObject(e.toJson().encode());
    assertEquals(true, json.getJsonObject("parameters").getBoolean("requireTls"));
    Envelope read = Envelope.fromJson(json);
    assertTrue(read.mailParameters().requireTls());
    assertEquals(e, read);
  }

  @Test
  void anEnvelopeWrittenBeforeRequireTlsReadsWithout() {
    // the parameters object exactly as earlier versions wrote it
    JsonObject json = envelope(MailParameters.NONE).toJson();
    json.put("parameters", new JsonObject("{\"size\":100,\"body\":\"SEVEN_BIT\",\"smtpUtf8\":false}"));
    assertFalse(Envelope.fromJson(json).mailParameters().requireTls());
    assertFalse(envelope(MailParameters.NONE).toJson().getJsonObject("parameters").containsKey("requireTls"));
  }
}
