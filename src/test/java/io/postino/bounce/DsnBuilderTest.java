package io.postino.bounce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.bus.RecipientResult;
import io.postino.smtp.MailAddress;
import io.postino.testing.Dsn;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The DSN builder alone: fields, the delayed form, and nothing a remote reply says can add a line. */
class DsnBuilderTest {

  private static final Instant NOW = Instant.parse("2026-05-01T10:00:00Z");

  private static DsnBuilder.Report report(DsnBuilder.Kind kind, MailAddress rcpt, RecipientResult result) {
    return new DsnBuilder.Report(kind, "mx.example.org", "<B1@mx.example.org>", NOW, "Q1",
        new MailAddress("alice", "example.org"), null, NOW.minusSeconds(60),
        List.of(new DsnBuilder.Item(rcpt, null, result, false)), NOW.plusSeconds(3600),
        "Subject: hi\r\n".getBytes(StandardCharsets.US_ASCII), false);
  }

  @Test
  void aReplyCannotInjectFieldsOrHeaders() throws Exception {
    MailAddress bob = new MailAddress("bob", "example.com");
    RecipientResult evil = new RecipientResult(bob, RecipientResult.Outcome.PERMANENT, 550, "5.0.0",
        "no\r\nAction: delivered\nX-Injected: yes", true, "mx\r\nEvil: 1", "192.0.2.1");

    byte[] bytes = DsnBuilder.build(report(DsnBuilder.Kind.FAILED, bob, evil));

    String text = new String(bytes, StandardCharsets.US_ASCII);
    assertFalse(text.contains("\nX-Injected"), text);
    assertFalse(text.contains("\nEvil:"), text);
    Dsn dsn = Dsn.parse(bytes);
    assertEquals("failed", dsn.perRecipient.get(0).get("Action"));
    assertEquals(1, dsn.perRecipient.size());
  }

  @Test
  void delayedReportsSayUntilWhen() throws Exception {
    MailAddress bob = new MailAddress("bob", "example.com");
    RecipientResult later = new RecipientResult(bob, RecipientResult.Outcome.TRANSIENT, 451, "4.4.1",
        "connect to mx.example.com[192.0.2.1]:25: Connection refused", false, "mx.example.com", "192.0.2.1");

    Dsn dsn = Dsn.parse(DsnBuilder.build(report(DsnBuilder.Kind.DELAYED, bob, later)));

    assertEquals("Delayed Mail (still being retried)", dsn.message.getSubject());
    assertEquals("delayed", dsn.perRecipient.get(0).get("Action"));
    assertEquals("4.4.1", dsn.perRecipient.get(0).get("Status"));
    assertTrue(dsn.perRecipient.get(0).get("Diagnostic-Code").startsWith("X-Postino; connect to"));
    assertTrue(dsn.perRecipient.get(0).containsKey("Will-Retry-Until"));
    assertTrue(dsn.human.contains("you do not need to send the message again"), dsn.human);
  }

  @Test
  void successReportsSayDeliveredOrRelayedPerRecipient() throws Exception {
    MailAddress carol = new MailAddress("carol", "example.org");
    MailAddress bob = new MailAddress("bob", "example.com");
    RecipientResult mailbox = new RecipientResult(carol, RecipientResult.Outcome.DELIVERED, 250, "2.0.0",
        "delivered to mailbox", false, null, null);
    RecipientResult relayed = new RecipientResult(bob, RecipientResult.Outcome.DELIVERED, 250, "2.0.0",
        "Ok: queued as 4Vx1", true, "mx.example.com", "192.0.2.1");
    DsnBuilder.Report r = new DsnBuilder.Report(DsnBuilder.Kind.SUCCESS, "mx.example.org", "<B2@mx.example.org>", NOW,
        "Q2", new MailAddress("alice", "example.org"), "env-7", NOW.minusSeconds(5),
        List.of(new DsnBuilder.Item(carol, "rfc822;carol@example.org", mailbox, false),
            new DsnBuilder.Item(bob, null, relayed, false)),
        null, "Subject: hi\r\n".getBytes(StandardCharsets.US_ASCII), false);

    Dsn dsn = Dsn.parse(DsnBuilder.build(r));

    assertEquals("Successful Mail Delivery Report", dsn.message.getSubject());
    assertEquals("env-7", dsn.perMessage.get("Original-Envelope-Id"));
    assertEquals("delivered", dsn.perRecipient.get(0).get("Action"));
    assertEquals("rfc822; carol@example.org", dsn.perRecipient.get(0).get("Original-Recipient"));
    assertEquals("X-Postino; delivered to mailbox", dsn.perRecipient.get(0).get("Diagnostic-Code"));
    assertEquals("relayed", dsn.perRecipient.get(1).get("Action"));
    assertEquals("dns; mx.example.com", dsn.perRecipient.get(1).get("Remote-MTA"));
    assertEquals("smtp; 250 2.0.0 Ok: queued as 4Vx1", dsn.perRecipient.get(1).get("Diagnostic-Code"));
    assertFalse(dsn.perRecipient.get(1).containsKey("Will-Retry-Until"));
    assertTrue(dsn.human.contains("<bob@example.com>: host mx.example.com[192.0.2.1] said: 250 2.0.0"), dsn.human);
    assertEquals("Message headers", dsn.parts.get(2).getHeader().getField("Content-Description").getBody());
  }

  @Test
  void internationalizedAddressesMakeAGlobalReport() throws Exception {
    MailAddress jose = new MailAddress("jos\u00e9", "ejemplo.es");
    RecipientResult r = new RecipientResult(jose, RecipientResult.Outcome.PERMANENT, 550, "5.1.1", "unknown", true,
        "mx.ejemplo.es", "192.0.2.9");

    Dsn dsn = Dsn.parse(DsnBuilder.build(report(DsnBuilder.Kind.FAILED, jose, r)));

    assertEquals("message/global-delivery-status", dsn.parts.get(1).getMimeType());
    assertEquals("utf-8; jos\u00e9@ejemplo.es", dsn.perRecipient.get(0).get("Final-Recipient"));
  }
}
