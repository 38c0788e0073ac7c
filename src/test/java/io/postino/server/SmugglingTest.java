package io.postino.server;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.SmtpTestClient;
import io.postino.testing.SmtpTestClient.Reply;
import io.postino.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SMTP smuggling (the 2023 class of attacks): a client hides a second message behind an end of
 * data that a lenient server would see and a strict one would not. Postino only ever ends data at
 * CRLF "." CRLF, so the hidden message can never be accepted as a message of its own.
 */
class SmugglingTest {

  @TempDir
  Path dir;
  TestServer server;

  @AfterEach
  void tearDown() {
    server.close();
  }

  /** The fake end of data, the smuggled transaction, then the real end of data. */
  private static String smuggle(String fakeEnd) {
    return "From: a@b.example\r\nSubject: innocent\r\n\r\nhello"
        + fakeEnd
        + "MAIL FROM:<ceo@local.example>\r\nRCPT TO:<victim@local.example>\r\nDATA\r\n"
        + "Subject: smuggled\r\n\r\npay now\r\n.\r\n";
  }

  @ParameterizedTest
  @ValueSource(strings = {"\n.\n", "\n.\r\n", "\r.\r\n", "\r\n.\r", "\r\n.\n", "\r\n\0.\r\n"})
  void bareLineEndingsNeverEndTheDataAndTheMessageIsRefused(String fakeEnd) throws Exception {
    server = new TestServer(dir).start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData("a@b.example", "bob@local.example"), 354);
      c.send(smuggle(fakeEnd));
      Reply r = c.read();
      assertEquals(550, r.code(), r.text());
      assertEquals("5.6.0", r.enhanced());
      // nothing of the smuggled dialogue was taken as commands: the next reply is for this NOOP
      expect(c.command("NOOP"), 250);
    }
    assertNull(server.pollInbound(300));
    assertTrue(server.spooled().isEmpty());
  }

  @ParameterizedTest
  @ValueSource(strings = {"\n.\n", "\n.\r\n", "\r.\r\n", "\r\n.\r"})
  void normalizingKeepsItAllInOneMessage(String fakeEnd) throws Exception {
    server = new TestServer(dir);
    server.smtp().put("bareLineEndings", "normalize");
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData("a@b.example", "bob@local.example"), 354);
      c.send(smuggle(fakeEnd));
      expect(c.read(), 250);
      expect(c.command("NOOP"), 250);
    }
    server.nextInbound();
    assertNull(server.pollInbound(300));
    assertEquals(0, server.mailbox("local.example", "victim").size());
    String mail = Files.readString(server.mailbox("local.example", "bob").get(0), StandardCharsets.UTF_8);
    assertTrue(mail.contains("pay now"), mail);
    assertTrue(mail.replace("\r\n", "").indexOf('\r') < 0 && mail.replace("\r\n", "").indexOf('\n') < 0,
        "every line ending was made CRLF: " + mail);
  }
}
