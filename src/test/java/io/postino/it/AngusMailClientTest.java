package io.postino.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.TestServer;
import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Properties;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real mail client (Angus Mail, the Jakarta Mail implementation) sends through Postino; the
 * Maildir copy must be the bytes the client sent, byte for byte, after the headers Postino adds.
 */
class AngusMailClientTest {

  @TempDir
  Path dir;
  TestServer server;

  @BeforeEach
  void setUp() {
    server = new TestServer(dir).start();
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  private Session session() {
    Properties props = new Properties();
    props.put("mail.smtp.host", "127.0.0.1");
    props.put("mail.smtp.port", String.valueOf(server.port()));
    props.put("mail.smtp.localhost", "client.example");
    props.put("mail.smtp.allow8bitmime", "true");
    props.put("mail.smtp.timeout", "20000");
    return Session.getInstance(props);
  }

  /** Sends and returns the exact bytes the client put on the wire (before dot-stuffing). */
  private byte[] send(Session session, MimeMessage msg) throws Exception {
    msg.saveChanges();
    try (Transport t = session.getTransport("smtp")) {
      t.connect();
      t.sendMessage(msg, msg.getAllRecipients());
    }
    // the transport may switch parts to 8bit (and save) when the server offers 8BITMIME, so the
    // message is serialized after sending, when it is what was sent
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    msg.writeTo(sent);
    return sent.toByteArray();
  }

  private void assertDeliveredAsSent(byte[] sent, String user) throws Exception {
    server.nextInbound();
    byte[] stored = Files.readAllBytes(server.mailbox("local.example", user).get(0));
    String head = new String(stored, 0, Math.min(stored.length, 600), StandardCharsets.UTF_8);
    assertTrue(head.startsWith("Return-Path: <alice@sender.example>\r\nDelivered-To: " + user
        + "@local.example\r\nReceived: from client.example ([127.0.0.1])\r\n\tby mx.test.example (Postino) with ESMTP id "),
        head);
    int receivedEnd = head.indexOf("\r\n", head.indexOf("\tfor <")) + 2;
    byte[] rest = Arrays.copyOfRange(stored, receivedEnd, stored.length);
    assertEquals(sent.length, rest.length, "size of the stored content");
    assertArrayEquals(sent, rest);
  }

  @Test
  void plainTextWithLinesStartingWithDots() throws Exception {
    Session session = session();
    MimeMessage msg = new MimeMessage(session);
    msg.setFrom("alice@sender.example");
    msg.setRecipients(Message.RecipientType.TO, "bob@local.example");
    msg.setSubject("dots");
    msg.setText("first line\r\n.\r\n..two dots\r\n.one dot\r\nlast\r\n");
    byte[] sent = send(session, msg);
    assertTrue(new String(sent, StandardCharsets.US_ASCII).contains("\r\n.\r\n..two dots\r\n"));
    assertDeliveredAsSent(sent, "bob");
  }

  @Test
  void eightBitText() throws Exception {
    Session session = session();
    MimeMessage msg = new MimeMessage(session);
    msg.setFrom("alice@sender.example");
    msg.setRecipients(Message.RecipientType.TO, "carol@local.example");
    msg.setSubject("Grüße", "UTF-8");
    msg.setText("Grüße aus Köln — ünïcödé ✓\r\n", "UTF-8");
    msg.setHeader("Content-Transfer-Encoding", "8bit");
    byte[] sent = send(session, msg);
    assertTrue(new String(sent, StandardCharsets.UTF_8).contains("Grüße aus Köln"));
    assertDeliveredAsSent(sent, "carol");
  }

  @Test
  void tenMegabyteAttachment() throws Exception {
    Session session = session();
    MimeMessage msg = new MimeMessage(session);
    msg.setFrom("alice@sender.example");
    msg.setRecipients(Message.RecipientType.TO, "dave@local.example");
    msg.setSubject("attachment");
    MimeBodyPart text = new MimeBodyPart();
    text.setText("see attached\r\n");
    MimeBodyPart file = new MimeBodyPart();
    byte[] payload = new byte[10 * 1024 * 1024];
    new Random(42).nextBytes(payload);
    file.setDataHandler(new DataHandler(new ByteArrayDataSource(payload, "application/octet-stream")));
    file.setFileName("random.bin");
    MimeMultipart mp = new MimeMultipart();
    mp.addBodyPart(text);
    mp.addBodyPart(file);
    msg.setContent(mp);
    byte[] sent = send(session, msg);
    assertTrue(sent.length > 10 * 1024 * 1024);
    assertDeliveredAsSent(sent, "dave");
  }
}
