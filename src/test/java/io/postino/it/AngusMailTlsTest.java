package io.postino.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.TestServer;
import io.vertx.core.json.JsonObject;
import jakarta.mail.Message;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real mail client (Angus Mail) submitting over TLS with a password: STARTTLS with AUTH PLAIN and
 * with AUTH LOGIN, implicit TLS on the 465-style port, and relaying that needs the AUTH.
 */
class AngusMailTlsTest {

  @TempDir
  Path dir;
  TestServer server;

  @BeforeEach
  void setUp() {
    // no trusted network: only authenticated clients may relay
    server = new TestServer(dir).untrusted().withSmtps().addUser("alice", "s3cret").start();
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  /** A session for protocol "smtp" (STARTTLS required) or "smtps" (implicit TLS). */
  private Session session(String protocol, int port, String mechanism) {
    Properties props = new Properties();
    String p = "mail." + protocol + ".";
    props.put(p + "host", "127.0.0.1");
    props.put(p + "port", String.valueOf(port));
    props.put(p + "localhost", "client.example");
    props.put(p + "timeout", "20000");
    // the test server's certificate is self-signed
    props.put(p + "ssl.trust", "*");
    props.put(p + "ssl.checkserveridentity", "false");
    if (protocol.equals("smtp")) {
      props.put(p + "starttls.enable", "true");
      props.put(p + "starttls.required", "true");
    }
    if (mechanism != null) {
      props.put(p + "auth", "true");
      props.put(p + "auth.mechanisms", mechanism);
    }
    return Session.getInstance(props);
  }

  private void send(Session session, String protocol, String to, boolean authenticate) throws Exception {
    MimeMessage msg = new MimeMessage(session);
    msg.setFrom("alice@local.example");
    msg.setRecipients(Message.RecipientType.TO, to);
    msg.setSubject("over TLS");
    msg.setText("hello\r\n");
    msg.saveChanges();
    try (Transport t = session.getTransport(protocol)) {
      if (authenticate) {
        t.connect("alice", "s3cret");
      } else {
        t.connect();
      }
      t.sendMessage(msg, msg.getAllRecipients());
    }
  }

  private String deliveredToBob() throws Exception {
    server.nextInbound();
    return Files.readString(server.mailbox("local.example", "bob").get(0), StandardCharsets.UTF_8);
  }

  @Test
  void startTlsWithAuthPlain() throws Exception {
    send(session("smtp", server.port(), "PLAIN"), "smtp", "bob@local.example", true);
    String mail = deliveredToBob();
    assertFalse(mail.contains("Authenticated sender"), mail);
    assertTrue(mail.contains(" with ESMTPSA id "), mail);
  }

  @Test
  void startTlsWithAuthLogin() throws Exception {
    send(session("smtp", server.port(), "LOGIN"), "smtp", "bob@local.example", true);
    assertTrue(deliveredToBob().contains(" with ESMTPSA id "));
  }

  @Test
  void implicitTls() throws Exception {
    send(session("smtps", server.smtpsPort(), "PLAIN"), "smtps", "bob@local.example", true);
    String mail = deliveredToBob();
    assertTrue(mail.matches("(?s).*\\(using TLSv1\\.[23] with cipher \\w+\\).*"), mail);
  }

  @Test
  void relayIsRefusedWithoutAuthAndAcceptedWithIt() throws Exception {
    SendFailedException refused = assertThrows(SendFailedException.class,
        () -> send(session("smtp", server.port(), null), "smtp", "friend@elsewhere.example", false));
    String why = String.valueOf(refused.getNextException());
    assertTrue(why.contains("554 5.7.1 <friend@elsewhere.example>: Relay access denied"), why);
    assertTrue(server.spooled().isEmpty());

    send(session("smtp", server.port(), "PLAIN"), "smtp", "friend@elsewhere.example", true);
    assertEquals(1, server.spooled().size());
    JsonObject envelope = TestServer.spooledEnvelope(server.spooled().get(0));
    assertEquals("alice", envelope.getString("authenticatedUser"));
  }
}
