package io.postino.alias;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.LogCapture;
import io.postino.testing.SmtpSink;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Aliases, subaddresses, postmaster and SRS end to end: a client (Angus Mail, or raw SMTP) sends
 * to Postino over a socket; local copies land in Maildirs, forwarded ones in a real SMTP server
 * (SubEthaSMTP) to which every remote domain is routed.
 */
class AliasesEndToEndTest {

  @TempDir
  Path dir;
  private SmtpSink sink;
  private TestServer server;

  @BeforeEach
  void setUp() {
    sink = new SmtpSink().start();
    server = new TestServer(dir);
    server.config.put("localUsers", new JsonObject()
        .put("local.example", new JsonArray().add("alice").add("bob"))
        .put("other.example", new JsonArray().add("carol")));
    server.dns().put("routes", new JsonObject().put("*", "127.0.0.1:" + sink.port()));
    server.queue().put("minBackoff", 0.2).put("maxBackoff", 0.4).put("scanInterval", 0.05);
  }

  @AfterEach
  void tearDown() {
    server.close();
    sink.close();
  }

  private void aliases(JsonObject aliases) {
    server.config.put("aliases", aliases);
  }

  /** One transaction up to RCPT; the reply to RCPT. */
  private SmtpTestClient.Reply rcpt(String from, String to) throws IOException {
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<" + from + ">"), 250);
      return c.command("RCPT TO:<" + to + ">");
    }
  }

  private void send(String from, String... to) throws IOException {
    try (SmtpTestClient c = server.connect()) {
      expect(c.startData(from, to), 354);
      c.send("Subject: test\r\n\r\nhello\r\n.\r\n");
      expect(c.read(), 250);
    }
  }

  /** The one message delivered to a mailbox (its new/ or a folder's), once it is there. */
  private String delivered(Path newDir) throws IOException {
    TestServer.await("a message in " + newDir, () -> !TestServer.files(newDir).isEmpty());
    List<Path> files = TestServer.files(newDir);
    assertEquals(1, files.size(), files.toString());
    return Files.readString(files.get(0), StandardCharsets.UTF_8);
  }

  private Path inbox(String domain, String user) {
    return dir.resolve("maildir").resolve(domain).resolve(user).resolve("new");
  }

  @Test
  void anAliasDeliversToItsLocalMailboxAndForwardsWithAnSrsSenderWhoseBounceReachesTheOriginalSender()
      throws Exception {
    aliases(new JsonObject().put("info@local.example", new JsonArray().add("alice@local.example").add("bob@elsewhere.test")));
    server.start();
    Properties props = new Properties();
    props.put("mail.smtp.host", "127.0.0.1");
    props.put("mail.smtp.port", String.valueOf(server.port()));
    props.put("mail.smtp.localhost", "client.example");
    props.put("mail.smtp.from", "dave@sender.test");
    Session session = Session.getInstance(props);
    MimeMessage msg = new MimeMessage(session);
    msg.setFrom("dave@sender.test");
    msg.setRecipients(Message.RecipientType.TO, "info@local.example");
    msg.setSubject("for the team");
    msg.setText("hello\r\n");
    try (Transport t = session.getTransport("smtp")) {
      t.connect();
      t.sendMessage(msg, msg.getAllRecipients());
    }

    String local = delivered(inbox("local.example", "alice"));
    assertTrue(local.startsWith("Return-Path: <dave@sender.test>\r\nDelivered-To: alice@local.example\r\n"), local);
    SmtpSink.Received forwarded = sink.next();
    assertEquals(List.of("bob@elsewhere.test"), forwarded.recipients());
    String srs = forwarded.from();
    assertTrue(srs.matches("SRS0=[A-Za-z0-9+/]{4}=[A-Z2-7]{2}=sender\\.test=dave@local\\.example"), srs);
    assertTrue(new String(forwarded.data(), StandardCharsets.UTF_8).contains("Subject: for the team"));
    // the key was made at the first start, next to the spool, readable by its owner only
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("srs.secret"))));

    // elsewhere.test bounces the copy: the bounce to the SRS address goes back to dave
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO mx.elsewhere.test"), 250);
      expect(c.command("MAIL FROM:<>"), 250);
      expect(c.command("RCPT TO:<" + srs + ">"), 250);
      expect(c.command("DATA"), 354);
      c.send("Subject: Undelivered Mail Returned to Sender\r\n\r\nbob is gone\r\n.\r\n");
      expect(c.read(), 250);
    }
    SmtpSink.Received bounce = sink.next();
    assertEquals("", bounce.from() == null ? "" : bounce.from());
    assertEquals(List.of("dave@sender.test"), bounce.recipients());
    assertTrue(new String(bounce.data(), StandardCharsets.UTF_8).contains("bob is gone"));

    // a forged or altered SRS address relays nothing
    SmtpTestClient.Reply forged = rcpt("", srs.replace("=dave@", "=mallory@"));
    assertEquals(550, forged.code());
    assertEquals("5.1.1", forged.enhanced());
    assertTrue(forged.text().contains("invalid SRS address"), forged.text());
    assertEquals(550, rcpt("", "SRS0=abcd=AA=victim.example=x@local.example").code());
  }

  @Test
  void senderOfALocalDomainAndTheNullSenderAreForwardedUnchanged() throws Exception {
    aliases(new JsonObject().put("fwd@local.example", "bob@elsewhere.test"));
    server.start();

    send("alice@local.example", "fwd@local.example");
    assertEquals("alice@local.example", sink.next().from());
    send("", "fwd@local.example");
    SmtpSink.Received bounce = sink.next();
    assertEquals("", bounce.from() == null ? "" : bounce.from());
    assertEquals(List.of("bob@elsewhere.test"), bounce.recipients());
  }

  @Test
  void anUntrustedClientMayWriteToAnAliasThatForwardsButRelaysNothingElse() throws Exception {
    server.untrusted();
    aliases(new JsonObject().put("fwd@local.example", "bob@elsewhere.test").put("@old.example", "@local.example"));
    server.start();

    assertEquals(250, rcpt("dave@sender.test", "fwd@local.example").code());
    assertEquals(250, rcpt("dave@sender.test", "alice@old.example").code());
    SmtpTestClient.Reply relay = rcpt("dave@sender.test", "bob@elsewhere.test");
    assertEquals(554, relay.code());
    assertEquals("5.7.1", relay.enhanced());
  }

  @Test
  void aForwardedCopyThatFailsHereIsReportedToTheOriginalSenderNamingTheAliasAsOriginalRecipient() throws Exception {
    sink.refuse("bob@elsewhere.test", 550);
    aliases(new JsonObject().put("fwd@local.example", "bob@elsewhere.test"));
    server.start();

    send("dave@sender.test", "fwd@local.example");

    SmtpSink.Received first = sink.next();
    SmtpSink.Received dsn = first.recipients().equals(List.of("dave@sender.test")) ? first : sink.next();
    assertEquals(List.of("dave@sender.test"), dsn.recipients());
    String report = new String(dsn.data(), StandardCharsets.UTF_8);
    assertTrue(report.contains("Original-Recipient: rfc822; fwd@local.example"), report);
    assertTrue(report.contains("Final-Recipient: rfc822; bob@elsewhere.test"), report);
  }

  @Test
  void nestedAliasesReachEveryMailboxOnceAndALoopIsRefused() throws Exception {
    aliases(new JsonObject()
        .put("all@local.example", new JsonArray().add("team@local.example").add("alice@local.example"))
        .put("team@local.example", new JsonArray().add("alice@local.example").add("bob+lists@local.example"))
        .put("loop1@local.example", "loop2@local.example")
        .put("loop2@local.example", "loop1@local.example"));
    server.start();

    try (LogCapture log = new LogCapture()) {
      send("dave@sender.test", "all@local.example");
      // the delivery line names the address the client gave, as Postfix's orig_to
      log.await(".*: to=<alice@local\\.example>, orig_to=<all@local\\.example>, relay=local, .*status=sent.*");
    }

    assertTrue(delivered(inbox("local.example", "alice")).contains("Delivered-To: alice@local.example\r\n"));
    // a subaddress without maildir.subaddressFolders: the user's inbox
    assertTrue(delivered(inbox("local.example", "bob")).contains("Delivered-To: bob+lists@local.example\r\n"));
    SmtpTestClient.Reply loop = rcpt("dave@sender.test", "loop1@local.example");
    assertEquals(550, loop.code());
    assertEquals("5.4.6", loop.enhanced());
  }

  @Test
  void aCatchAllAndADomainAliasTakeWhatHasNoMailboxAndUnknownUsersAreStillRefused() throws Exception {
    aliases(new JsonObject().put("@other.example", "alice@local.example").put("@old.example", "@local.example"));
    server.start();

    send("dave@sender.test", "whoever@other.example", "carol@other.example", "bob@old.example");

    assertTrue(delivered(inbox("local.example", "alice")).contains("Delivered-To: alice@local.example\r\n"));
    assertTrue(delivered(inbox("other.example", "carol")).contains("Delivered-To: carol@other.example\r\n"));
    assertTrue(delivered(inbox("local.example", "bob")).contains("Delivered-To: bob@local.example\r\n"));
    SmtpTestClient.Reply unknown = rcpt("dave@sender.test", "nobody@old.example");
    assertEquals(550, unknown.code());
    assertEquals("5.1.1", unknown.enhanced());
    assertEquals(550, rcpt("dave@sender.test", "nobody@local.example").code());
  }

  @Test
  void aSubaddressGoesToItsFolderWhenAsked() throws Exception {
    server.config.getJsonObject("maildir").put("subaddressFolders", true);
    server.start();

    send("dave@sender.test", "alice+news@local.example");

    Path folder = dir.resolve("maildir/local.example/alice/.news");
    assertTrue(delivered(folder.resolve("new")).contains("Delivered-To: alice+news@local.example\r\n"));
    assertTrue(Files.exists(folder.resolve("maildirfolder")));
    assertTrue(TestServer.files(inbox("local.example", "alice")).isEmpty());
    assertEquals(550, rcpt("dave@sender.test", "nobody+news@local.example").code());
  }

  @Test
  void theAliasFileIsReadAgainWhenItChangesAndABrokenOneKeepsTheAliasesInForce() throws Exception {
    Path file = dir.resolve("aliases");
    Files.writeString(file, "sales@local.example: bob@local.example\n");
    server.config.put("aliasesFile", file.toString()).put("aliasesWatchInterval", 0.05);
    server.start();
    assertEquals(250, rcpt("dave@sender.test", "sales@local.example").code());
    assertEquals(550, rcpt("dave@sender.test", "new@local.example").code());

    try (LogCapture log = new LogCapture()) {
      Files.writeString(file, "# the new team\nsales@local.example: bob@local.example\nnew@local.example: alice@local.example\n");
      TestServer.await("the new alias", () -> {
        try {
          return rcpt("dave@sender.test", "new@local.example").code() == 250;
        } catch (IOException e) {
          throw new AssertionError(e);
        }
      });
      send("dave@sender.test", "new@local.example");
      assertTrue(delivered(inbox("local.example", "alice")).contains("Delivered-To: alice@local.example\r\n"));

      Files.writeString(file, "new@local.example alice@local.example\n");
      log.await(".*cannot reload .*aliases.*line 1.*");
      assertEquals(250, rcpt("dave@sender.test", "new@local.example").code());
    }
  }

  @Test
  void postmasterAndAbuseOfEveryDomainAreAcceptedAndGoToThePostmaster() throws Exception {
    aliases(new JsonObject().put("@old.example", "@local.example"));
    server.start();

    send("dave@sender.test", "postmaster@other.example", "abuse@old.example");

    // both go to postmaster@ the first local domain, which has no user of that name
    String got = delivered(inbox("local.example", "postmaster"));
    assertTrue(got.contains("Delivered-To: postmaster@local.example\r\n"), got);
  }

  @Test
  void thePostmasterAddressCanBeAUsersMailbox() throws Exception {
    server.config.put("postmasterAddress", "alice@local.example");
    server.start();

    send("dave@sender.test", "abuse@other.example");
    send("dave@sender.test", "postmaster");

    TestServer.await("two messages for alice", () -> TestServer.files(inbox("local.example", "alice")).size() == 2);
    assertTrue(TestServer.files(dir.resolve("maildir/local.example/postmaster")).isEmpty());
  }
}
