package com.example.mail;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.Postino;
import io.postino.bus.InboundEvent;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The README's embedding example, on the classpath a library user of Postino's plain jar gets. */
class MailReceiverTest {

  @TempDir
  Path dir;
  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  @Test
  void receivesAMessageOverSmtp() throws Exception {
    CompletableFuture<InboundEvent> received = new CompletableFuture<>();
    Postino postino = MailReceiver.start(vertx, dir, 0, received::complete).await();

    try (Socket socket = new Socket("127.0.0.1", postino.smtpPort())) {
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), US_ASCII));
      OutputStream out = socket.getOutputStream();
      assertEquals(220, reply(in));
      assertEquals(250, command(out, in, "EHLO client.example"));
      assertEquals(250, command(out, in, "MAIL FROM:<app@sender.example>"));
      assertEquals(250, command(out, in, "RCPT TO:<bob@example.org>"));
      assertEquals(354, command(out, in, "DATA"));
      assertEquals(250, command(out, in, "Subject: embedded\r\n\r\nHello\r\n."));
      assertEquals(221, command(out, in, "QUIT"));
    }

    InboundEvent mail = received.get(20, TimeUnit.SECONDS);
    assertEquals("app@sender.example", mail.sender());
    assertEquals("bob@example.org", mail.mailboxes().get(0).recipient());
    Path file = Path.of(mail.mailboxes().get(0).path());
    assertTrue(file.startsWith(dir.resolve("maildir")), file.toString());
    assertTrue(Files.readString(file, US_ASCII).contains("Subject: embedded"));
    postino.close().await();
  }

  /** Logging is the application's choice; the command line, clustering and Reactor are optional. */
  @ParameterizedTest
  @ValueSource(strings = {"ch.qos.logback.classic.Logger", "com.hazelcast.core.Hazelcast",
      "io.vertx.spi.cluster.hazelcast.HazelcastClusterManager", "picocli.CommandLine",
      "reactor.core.publisher.Flux"})
  void theLibraryDoesNotBring(String className) {
    assertThrows(ClassNotFoundException.class, () -> Class.forName(className));
  }

  @Test
  void theLibraryHasNoLoggingConfiguration() {
    assertNull(getClass().getClassLoader().getResource("logback.xml"));
  }

  private static int command(OutputStream out, BufferedReader in, String line) throws Exception {
    out.write((line + "\r\n").getBytes(US_ASCII));
    out.flush();
    return reply(in);
  }

  /** The code of a reply, after its last line (a multiline reply has "-" after the code). */
  private static int reply(BufferedReader in) throws Exception {
    String line = in.readLine();
    while (line.charAt(3) == '-') {
      line = in.readLine();
    }
    return Integer.parseInt(line.substring(0, 3));
  }
}
