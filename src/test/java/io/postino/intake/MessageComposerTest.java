package io.postino.intake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.bus.StructuredMessage;
import io.postino.bus.StructuredMessage.Attachment;
import io.postino.bus.StructuredMessage.NamedAddress;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Messages built from structured fields, read back by another MIME implementation (Angus Mail). */
class MessageComposerTest {

  private static final Instant DATE = Instant.parse("2026-05-01T10:00:00Z");

  private static MimeMessage parse(byte[] message) throws Exception {
    return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(message));
  }

  private static String ascii(byte[] message) {
    return new String(message, StandardCharsets.UTF_8);
  }

  @Test
  void textOnlyIsOneSevenBitPartWithCrlfLineEnds() throws Exception {
    byte[] out = MessageComposer.compose(StructuredMessage.of(NamedAddress.of("alice@example.org"),
        List.of(NamedAddress.of("bob@example.com")), "Hello", "line one\nline two\n.\nend"), "<id1@mx.example>", DATE);

    String text = ascii(out);
    assertFalse(text.replace("\r\n", "").contains("\n"), "bare LF in:\n" + text);
    MimeMessage m = parse(out);
    assertEquals("Hello", m.getSubject());
    assertEquals("<id1@mx.example>", m.getMessageID());
    assertEquals(DATE, m.getSentDate().toInstant());
    assertTrue(m.isMimeType("text/plain"));
    assertEquals("7bit", m.getEncoding());
    assertEquals("line one\r\nline two\r\n.\r\nend\r\n", m.getContent());
  }

  @Test
  void textHtmlAttachmentsAndEncodedHeaders() throws Exception {
    byte[] pdf = {'%', 'P', 'D', 'F', 0, (byte) 0xff, '\r', '\n'};
    StructuredMessage mail = StructuredMessage.of(NamedAddress.of("Zo\u00eb \"Z\" \u00dcnal, Esq.", "zoe@example.org"),
            List.of(NamedAddress.of("bob@example.com"), NamedAddress.of("J\u00f6rg", "joerg@example.com")),
            "Gr\u00fc\u00dfe aus K\u00f6ln", "Gr\u00fc\u00dfe\nBob")
        .withCc(List.of(NamedAddress.of("carol@example.net")))
        .withBcc(List.of(NamedAddress.of("secret@example.net")))
        .withHtml("<p>Gr\u00fc\u00dfe</p>")
        .withAttachment(new Attachment("rapport \u00e9t\u00e9.pdf", "application/pdf", pdf))
        .withAttachment(new Attachment("data \"1\".csv", "text/csv; charset=UTF-8", "a,b\r\n".getBytes(StandardCharsets.US_ASCII)));

    byte[] out = MessageComposer.compose(mail, "<id2@mx.example>", DATE);

    for (byte b : out) {
      assertTrue(b > 0, "the message is 7-bit US-ASCII");
    }
    MimeMessage m = parse(out);
    assertEquals("Gr\u00fc\u00dfe aus K\u00f6ln", m.getSubject());
    assertEquals("Zo\u00eb \"Z\" \u00dcnal, Esq.", ((InternetAddress) m.getFrom()[0]).getPersonal());
    assertEquals(2, m.getRecipients(MimeMessage.RecipientType.TO).length);
    assertEquals("J\u00f6rg", ((InternetAddress) m.getRecipients(MimeMessage.RecipientType.TO)[1]).getPersonal());
    assertEquals("carol@example.net", ((InternetAddress) m.getRecipients(MimeMessage.RecipientType.CC)[0]).getAddress());
    assertNull(m.getHeader("Bcc"));
    assertFalse(ascii(out).contains("secret@"));

    Multipart mixed = (Multipart) m.getContent();
    assertTrue(m.isMimeType("multipart/mixed"));
    assertEquals(3, mixed.getCount());
    Multipart alternative = (Multipart) mixed.getBodyPart(0).getContent();
    assertTrue(mixed.getBodyPart(0).isMimeType("multipart/alternative"));
    assertEquals("Gr\u00fc\u00dfe\r\nBob\r\n", alternative.getBodyPart(0).getContent());
    assertTrue(alternative.getBodyPart(1).isMimeType("text/html"));
    assertEquals("<p>Gr\u00fc\u00dfe</p>\r\n", alternative.getBodyPart(1).getContent());

    Part attachment = mixed.getBodyPart(1);
    assertEquals(Part.ATTACHMENT, attachment.getDisposition());
    assertEquals("rapport \u00e9t\u00e9.pdf", attachment.getFileName());
    assertTrue(attachment.isMimeType("application/pdf"));
    assertArrayEquals(pdf, attachment.getInputStream().readAllBytes());
    Part csv = mixed.getBodyPart(2);
    assertEquals("data \"1\".csv", csv.getFileName());
    assertTrue(csv.getContentType().toLowerCase().contains("charset=utf-8"), csv.getContentType());
  }

  @Test
  void htmlOnlyAndAQuotedLocalPart() throws Exception {
    byte[] out = MessageComposer.compose(StructuredMessage.of(NamedAddress.of("\"john doe\"@example.org"),
        List.of(NamedAddress.of("bob@example.com")), null, null).withHtml("<b>hi</b>"), "<id3@mx.example>", DATE);

    MimeMessage m = parse(out);
    assertTrue(m.isMimeType("text/html"));
    assertNull(m.getSubject());
    assertEquals("john doe@example.org", ((InternetAddress) m.getFrom()[0]).getAddress().replace("\"", ""));
    assertTrue(ascii(out).contains("From: \"john doe\"@example.org"), ascii(out));
  }
}
