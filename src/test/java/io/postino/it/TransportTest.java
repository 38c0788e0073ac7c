package io.postino.it;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.DovecotLmtp;
import io.postino.testing.Dsn;
import io.postino.testing.LmtpPeer;
import io.postino.testing.LogCapture;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code transport} table end to end, over real sockets: LMTP to aiosmtpd's LMTP server (on a
 * unix-domain socket and over TCP) and to Dovecot's (on a unix-domain socket) with replies per
 * recipient after the final dot, one LMTP
 * connection for two messages; and the discard and error transports, whose bounce reaches the
 * sender. The static route of every other domain points nowhere (127.0.0.1 port 1), so a message
 * delivered through a transport cannot have gone through an MX lookup or a route.
 */
class TransportTest {

  @TempDir
  Path dir;
  private TestServer server;
  private LmtpPeer lmtp;
  private DovecotLmtp dovecot;

  @AfterEach
  void tearDown() throws Exception {
    if (server != null) {
      server.close();
    }
    if (lmtp != null) {
      lmtp.close();
    }
    if (dovecot != null) {
      dovecot.close();
    }
  }

  private void start(Map<String, String> transport) {
    server = new TestServer(dir);
    server.config.put("transport", new JsonObject(new java.util.LinkedHashMap<>(transport)));
    server.config.put("delivery", new JsonObject().put("connectTimeout", 2).put("commandTimeout", 5)
        .put("dataTimeout", 5).put("connectionIdleTimeout", 30));
    server.queue().put("scanInterval", 0.05);
    server.start();
  }

  private void send(String from, String... to) throws IOException {
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData(from, to), 354);
      c.send("Subject: transports\r\n\r\nhello\r\n.\r\n");
      expect(c.read(), 250);
    }
  }

  /** The report that reached {@code alice@other.example}'s Maildir. */
  private Dsn nextDsn() throws IOException {
    TestServer.await("a report to alice", () -> !server.mailbox("other.example", "alice").isEmpty());
    List<Path> files = server.mailbox("other.example", "alice");
    return Dsn.parse(Files.readAllBytes(files.get(files.size() - 1)));
  }

  @Test
  void lmtpOverAUnixSocketAnswersEachRecipientOnItsOwn() throws Exception {
    Path socket = dir.resolve("lmtp.sock");
    lmtp = LmtpPeer.onUnixSocket(socket, dir);
    // local.example is a local domain: its mail goes to the mailbox server, not to a Maildir here
    start(Map.of("local.example", "lmtp:unix:" + socket));

    send("alice@other.example", "bob@local.example", "fullcarol@local.example", "unknowndave@local.example");

    LmtpPeer.Delivery d = lmtp.next();
    assertEquals(List.of("bob@local.example", "fullcarol@local.example", "unknowndave@local.example"),
        d.recipients());
    assertTrue(d.content().contains("Subject: transports"), d.content());
    JsonObject bob = server.nextEventFor("bob@local.example");
    JsonObject carol = server.nextEventFor("fullcarol@local.example");
    JsonObject dave = server.nextEventFor("unknowndave@local.example");
    assertEquals("delivered", bob.getString("event"));
    assertEquals("250 2.0.0 <bob@local.example> Saved", bob.getJsonObject("result").getInteger("code") + " "
        + bob.getJsonObject("result").getString("status") + " " + bob.getJsonObject("result").getString("text"));
    assertEquals("deferred", carol.getString("event"));
    assertEquals("4.2.2", carol.getJsonObject("result").getString("status"));
    assertEquals("bounced", dave.getString("event"));
    assertEquals(550, dave.getJsonObject("result").getInteger("code"));
    assertEquals("5.1.1", dave.getJsonObject("result").getString("status"));
    assertEquals(socket.toString(), dave.getJsonObject("result").getString("address"));

    Dsn dsn = nextDsn();
    assertEquals(1, dsn.perRecipient.size());
    assertEquals("rfc822; unknowndave@local.example", dsn.perRecipient.get(0).get("Final-Recipient"));
    assertEquals("5.1.1", dsn.perRecipient.get(0).get("Status"));
    assertTrue(dsn.perRecipient.get(0).get("Diagnostic-Code").contains("550 5.1.1"), dsn.perRecipient.toString());
    assertTrue(server.mailbox("local.example", "bob").isEmpty(), "no Maildir delivery for an LMTP domain");
    // the deferred recipient keeps the message in the spool (the report leaves it once delivered)
    TestServer.await("only the deferred message in the spool", () -> server.spooled().size() == 1);
  }

  @Test
  void dovecotStoresTakesForLaterOrRefusesEachRecipient() throws Exception {
    dovecot = DovecotLmtp.start(dir, List.of(new DovecotLmtp.User("bob@local.example", 0),
        new DovecotLmtp.User("fullcarol@local.example", 1)));
    start(Map.of("local.example", "lmtp:unix:" + dovecot.socket));

    send("alice@other.example", "bob@local.example", "fullcarol@local.example", "unknowndave@local.example");

    JsonObject bob = server.nextEventFor("bob@local.example");
    JsonObject carol = server.nextEventFor("fullcarol@local.example");
    JsonObject dave = server.nextEventFor("unknowndave@local.example");
    // bob and carol are answered after the final dot, each on his own; dave at RCPT
    assertEquals("delivered", bob.getString("event"), dovecot.log());
    assertEquals(1, dovecot.inbox("bob@local.example").size());
    assertTrue(Files.readString(dovecot.inbox("bob@local.example").get(0)).contains("Subject: transports"));
    assertEquals("deferred", carol.getString("event"), carol.encode());
    assertEquals(452, carol.getJsonObject("result").getInteger("code"));
    assertEquals("4.2.2", carol.getJsonObject("result").getString("status"));
    assertTrue(dovecot.inbox("fullcarol@local.example").isEmpty());
    assertEquals("bounced", dave.getString("event"), dave.encode());
    assertEquals("5.1.1", dave.getJsonObject("result").getString("status"));
    Dsn dsn = nextDsn();
    assertEquals("rfc822; unknowndave@local.example", dsn.perRecipient.get(0).get("Final-Recipient"));
  }

  @Test
  void lmtpOverTcpCarriesTwoMessagesOverOneConnection() throws Exception {
    lmtp = LmtpPeer.onTcp(dir);
    start(Map.of("mailbox.example", "lmtp:127.0.0.1:" + lmtp.port()));

    send("alice@other.example", "bob@mailbox.example");
    assertEquals("delivered", server.nextEventFor("bob@mailbox.example").getString("event"));
    send("alice@other.example", "carol@mailbox.example");
    assertEquals("delivered", server.nextEventFor("carol@mailbox.example").getString("event"));

    assertEquals(List.of("bob@mailbox.example"), lmtp.next().recipients());
    assertEquals(List.of("carol@mailbox.example"), lmtp.next().recipients());
    assertEquals(1, lmtp.connections(), "the second message reuses the first one's LMTP session");
    TestServer.await("spool empty", () -> server.spooled().isEmpty());
  }

  @Test
  void discardAcceptsAndDropsAndSaysSo() throws Exception {
    try (LogCapture logs = new LogCapture()) {
      start(Map.of("sink.example", "discard", "old@local.example", "discard:retired address"));

      send("alice@other.example", "anyone@sink.example", "old@local.example");

      assertEquals("delivered", server.nextEventFor("anyone@sink.example").getString("event"));
      assertEquals("delivered", server.nextEventFor("old@local.example").getString("event"));
      TestServer.await("spool empty", () -> server.spooled().isEmpty());
      assertTrue(server.mailbox("local.example", "old").isEmpty());
      logs.await(".*: to=<anyone@sink\\.example>, relay=none, .*dsn=2\\.0\\.0, status=sent \\(discarded\\)$");
      logs.await(".*: to=<old@local\\.example>, relay=none, .*dsn=2\\.0\\.0, status=sent \\(retired address\\)$");
    }
  }

  @Test
  void errorBouncesWithTheConfiguredStatusAndText() throws Exception {
    LogCapture logs = new LogCapture();
    start(Map.of("gone@local.example", "error:5.1.6 this address has moved to gone@elsewhere.example",
        "busy.example", "error:4.3.2 come back later"));

    send("alice@other.example", "gone@local.example", "bob@local.example", "x@busy.example");
    logs.await(".*: to=<gone@local\\.example>, relay=none, .*dsn=5\\.1\\.6, status=bounced "
        + "\\(this address has moved to gone@elsewhere\\.example\\)$");
    logs.await(".*: to=<bob@local\\.example>, relay=local, .*status=sent \\(delivered to mailbox\\)$");
    logs.close();

    JsonObject gone = server.nextEventFor("gone@local.example");
    assertEquals("bounced", gone.getString("event"));
    Dsn dsn = nextDsn();
    assertEquals(1, dsn.perRecipient.size());
    assertEquals("rfc822; gone@local.example", dsn.perRecipient.get(0).get("Final-Recipient"));
    assertEquals("5.1.6", dsn.perRecipient.get(0).get("Status"));
    assertTrue(dsn.perRecipient.get(0).get("Diagnostic-Code").contains("this address has moved to gone@elsewhere.example"),
        dsn.perRecipient.toString());
    assertTrue(dsn.human.contains("this address has moved"), dsn.human);
    // the other recipients are untouched: bob gets his mail here, x@busy.example waits
    assertEquals(1, server.mailbox("local.example", "bob").size());
    JsonObject busy = server.nextEventFor("x@busy.example");
    assertEquals("deferred", busy.getString("event"));
    assertEquals("4.3.2", busy.getJsonObject("result").getString("status"));
    assertEquals("come back later", busy.getJsonObject("result").getString("text"));
    TestServer.await("only the deferred message in the spool", () -> server.spooled().size() == 1);
  }
}
