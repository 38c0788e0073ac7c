package io.postino.local;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.SmtpTestClient;
import io.postino.testing.SmtpTestClient.Reply;
import io.postino.testing.TestServer;
import io.postino.testing.WithTestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Internationalised local parts over a real SMTPUTF8 dialogue: one Unicode form per mailbox, and
 * no invisible character that changes how a mailbox name reads.
 */
class MailboxNameDialogueTest extends WithTestServer {

  private static final String COMPOSED = "\u00fcser";
  private static final String DECOMPOSED = "u\u0308ser";

  @Test
  void composedAndDecomposedLocalPartsAreOneMailboxWithOneCopy() throws Exception {
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<alice@remote.example> SMTPUTF8"), 250);
      expect(c.command("RCPT TO:<" + COMPOSED + "@local.example>"), 250);
      expect(c.command("RCPT TO:<" + DECOMPOSED + "@local.example>"), 250);
      expect(c.command("DATA"), 354);
      c.send("Subject: hi\r\n\r\nhello\r\n.\r\n");
      expect(c.read(), 250);
    }
    JsonObject inbound = server.nextInbound();
    JsonArray boxes = inbound.getJsonArray("mailboxes");
    assertEquals(2, boxes.size());
    assertEquals(boxes.getJsonObject(0).getString("path"), boxes.getJsonObject(1).getString("path"),
        inbound::encodePrettily);
    assertEquals(List.of(server.dir.resolve("maildir").resolve("local.example").resolve(COMPOSED)),
        TestServer.files(server.dir.resolve("maildir").resolve("local.example")));
    assertEquals(1, server.mailbox("local.example", COMPOSED).size());
  }

  @Test
  void listedUsersMatchInEitherForm() throws Exception {
    server.config.put("localUsers", new JsonObject().put("local.example", new JsonArray().add(DECOMPOSED)));
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<alice@remote.example> SMTPUTF8"), 250);
      expect(c.command("RCPT TO:<" + COMPOSED + "@local.example>"), 250);
      expect(c.command("RCPT TO:<\u00dcSER@local.example>"), 250);
      assertEquals("5.1.1", expect(c.command("RCPT TO:<user@local.example>"), 550).enhanced());
    }
  }

  @Test
  void bidiAndControlCharactersAreRefusedAtRcpt() throws Exception {
    server.start();
    List<String> refused = List.of(
        "\u202Eevil", // right-to-left override
        "a\u202Ab", // left-to-right embedding
        "a\u2067b", // right-to-left isolate
        "a\u200Fb", // right-to-left mark
        "a\u061Cb", // Arabic letter mark
        "a\u0085b", // next line, a C1 control
        "a\u200Bb", // zero-width space
        "a\u2028b", // line separator
        "a\uFEFFb"); // zero-width no-break space
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<alice@remote.example> SMTPUTF8"), 250);
      for (String local : refused) {
        Reply reply = c.command("RCPT TO:<" + local + "@local.example>");
        assertEquals(553, reply.code(), () -> local.codePoints().mapToObj(Integer::toHexString).toList() + ": " + reply);
        assertEquals("5.1.3", reply.enhanced());
      }
      // joiners are part of words in several scripts: a Persian name with a zero-width non-joiner
      expect(c.command("RCPT TO:<\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645@local.example>"), 250);
      expect(c.command("RCPT TO:<bob@local.example>"), 250);
      expect(c.command("DATA"), 354);
      c.send("Subject: hi\r\n\r\nhello\r\n.\r\n");
      expect(c.read(), 250);
    }
    assertEquals(2, server.nextInbound().getJsonArray("mailboxes").size());
    List<Path> boxes = TestServer.files(server.dir.resolve("maildir").resolve("local.example"));
    assertEquals(2, boxes.size(), boxes::toString);
    assertTrue(boxes.contains(server.dir.resolve("maildir").resolve("local.example").resolve("bob")), boxes::toString);
  }
}
