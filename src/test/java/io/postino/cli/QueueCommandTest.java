package io.postino.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.ChildCli;
import io.postino.testing.ChildCli.Result;
import io.postino.testing.ChildPostino;
import io.postino.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code postino queue ...}, {@code status} and {@code send} as an operator runs them: each a
 * process of its own against a server in another process (polling in this JVM, through the same
 * command line, where a test waits for the queue to move), then against its stopped spool.
 * Remote mail goes to a dead destination (127.0.0.1:1), so it stays deferred with its last error.
 */
class QueueCommandTest {

  @TempDir
  Path dir;
  private Path conf;
  private final List<ChildPostino> servers = new ArrayList<>();

  @BeforeEach
  void configure() throws IOException {
    conf = ChildPostino.write(dir, config(dir, true));
  }

  /** The child server's configuration: the admin port on a free port, remote mail to a dead port. */
  static JsonObject config(Path dir, boolean admin) throws IOException {
    JsonObject config = ChildPostino.config(dir);
    // send reaches the server by the configured port
    config.getJsonObject("smtp").put("port", freePort());
    return config
        .put("dns", new JsonObject().put("servers", new JsonArray().add("127.0.0.1:1"))
            .put("routes", new JsonObject().put("*", "127.0.0.1:1")))
        .put("queue", new JsonObject().put("minBackoff", 3600).put("maxBackoff", 3600))
        .put("admin", new JsonObject().put("enabled", admin).put("port", freePort())
            .put("tokenFile", dir.resolve("admin.token").toString()));
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @AfterEach
  void stop() throws InterruptedException {
    for (ChildPostino s : servers) {
      s.kill();
    }
  }

  private ChildPostino start(Path configuration) throws Exception {
    ChildPostino server = ChildPostino.start(configuration);
    servers.add(server);
    return server;
  }

  private Result postino(String... args) throws Exception {
    return ChildCli.run(dir, withConf(args));
  }

  private String[] withConf(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("-conf");
    all.add(conf.toString());
    return all.toArray(String[]::new);
  }

  /** Sends a message to a remote recipient through {@code postino send}; returns its queue id. */
  private String sendRemote(String subject) throws Exception {
    return sendTo("bob@remote.example", subject);
  }

  private String sendTo(String recipient, String subject) throws Exception {
    Result sent = ChildCli.run(dir, ChildCli.input("From: alice@b.example\nTo: " + recipient + "\nSubject: " + subject
        + "\n\nhello queue\n"), withConf("send", "-t", "-f", "alice@b.example", "-v"));
    assertEquals(0, sent.exit(), sent.toString());
    Matcher m = Pattern.compile("queued as (\\S+)").matcher(sent.err());
    assertTrue(m.find(), sent.toString());
    return m.group(1);
  }

  /** The message as {@code queue list --json} shows it (polled in this JVM), or null. */
  private JsonObject listed(String id) {
    Result r = ChildCli.inProcess(withConf("queue", "list", "--json"));
    assertEquals(0, r.exit(), r.toString());
    for (Object o : new JsonObject(r.out()).getJsonArray("messages")) {
      if (((JsonObject) o).getString("id").equals(id)) {
        return (JsonObject) o;
      }
    }
    return null;
  }

  private void awaitDeferred(String id, int attempts) {
    TestServer.await(id + " deferred after " + attempts + " attempt(s)", () -> {
      JsonObject m = listed(id);
      return m != null && m.getString("state").equals("deferred") && m.getInteger("attempts") >= attempts;
    });
  }

  @Test
  void aDeferredMessageIsListedShownAndManagedThroughTheRunningServer() throws Exception {
    ChildPostino server = start(conf);
    String id = sendRemote("first");
    awaitDeferred(id, 1);
    JsonObject rcpt = listed(id).getJsonArray("recipients").getJsonObject(0);
    assertEquals("bob@remote.example", rcpt.getString("address"));
    assertTrue(rcpt.getString("lastError").startsWith("451 4.4.1 connect to 127.0.0.1"), rcpt.encode());

    Result list = postino("queue", "list");
    assertEquals(0, list.exit(), list.toString());
    assertTrue(list.out().contains(id + " "), list.out());
    assertTrue(list.out().contains("alice@b.example"), list.out());
    assertTrue(list.out().contains("bob@remote.example (deferred)"), list.out());
    assertTrue(list.out().contains("(451 4.4.1 connect to 127.0.0.1"), list.out());
    assertTrue(list.out().contains("-- 1 Kbytes in 1 Request."), list.out());

    Result show = postino("queue", "show", id, "--body");
    assertEquals(0, show.exit(), show.toString());
    assertTrue(show.out().contains("State:        deferred"), show.out());
    assertTrue(show.out().contains("transient 451 4.4.1"), show.out());
    assertTrue(show.out().contains("Subject: first"), show.out());
    assertTrue(show.out().contains("hello queue"), show.out());

    Result hold = postino("queue", "hold", id);
    assertEquals(0, hold.exit(), hold.toString());
    assertTrue(Files.exists(dir.resolve("spool/hold").resolve(id)));
    assertEquals("hold", listed(id).getString("state"));
    Result onHold = ChildCli.inProcess(withConf("queue", "list", "--hold"));
    assertTrue(onHold.out().contains(id + "!"), onHold.toString());

    Result release = ChildCli.inProcess(withConf("queue", "release", id));
    assertEquals(0, release.exit(), release.toString());
    // released messages are tried at once
    awaitDeferred(id, 2);
    assertTrue(Files.exists(dir.resolve("spool/incoming").resolve(id)));

    Result requeue = ChildCli.inProcess(withConf("queue", "requeue", id));
    assertEquals(0, requeue.exit(), requeue.toString());
    awaitDeferred(id, 3);
    Result flushDomain = ChildCli.inProcess(withConf("queue", "flush", "--domain", "remote.example"));
    assertEquals(0, flushDomain.exit(), flushDomain.toString());
    assertTrue(flushDomain.out().contains("flushed 1 message(s) for remote.example"), flushDomain.out());
    awaitDeferred(id, 4);
    assertEquals(0, ChildCli.inProcess(withConf("queue", "flush")).exit());
    awaitDeferred(id, 5);
    Result flushOne = ChildCli.inProcess(withConf("queue", "flush", id));
    assertEquals(0, flushOne.exit(), flushOne.toString());
    awaitDeferred(id, 6);

    Result status = postino("status");
    assertEquals(0, status.exit(), status.toString());
    assertTrue(status.out().contains("Listener smtp        127.0.0.1:" + server.port()), status.out());
    assertTrue(status.out().contains("Queue: 1 message(s)"), status.out());

    Result delete = ChildCli.inProcess(withConf("queue", "delete", id));
    assertEquals(0, delete.exit(), delete.toString());
    assertFalse(Files.exists(dir.resolve("spool/incoming").resolve(id)));
    assertEquals("Mail queue is empty\n", ChildCli.inProcess(withConf("queue", "list")).out());

    Result again = ChildCli.inProcess(withConf("queue", "delete", id));
    assertEquals(1, again.exit(), again.toString());
    assertTrue(again.err().contains(id + ": no such message in the queue"), again.err());
    Result unknownShow = ChildCli.inProcess(withConf("queue", "show", id));
    assertEquals(1, unknownShow.exit(), unknownShow.toString());
  }

  @Test
  void sendDeliversAndDeleteAllDeferredEmptiesTheQueue() throws Exception {
    start(conf);
    Result sent = ChildCli.run(dir, ChildCli.input("From: alice@b.example\nTo: bob@local.example\n"
        + "Bcc: carol@local.example\nSubject: local\n\nfor bob and carol\n.\nnot part of it\n"),
        withConf("send", "-t"));
    assertEquals(0, sent.exit(), sent.toString());
    Path bob = dir.resolve("maildir/local.example/bob/new");
    Path carol = dir.resolve("maildir/local.example/carol/new");
    TestServer.await("delivered to both", () -> TestServer.files(bob).size() == 1 && TestServer.files(carol).size() == 1);
    String mail = Files.readString(TestServer.files(bob).get(0), StandardCharsets.UTF_8);
    assertTrue(mail.contains("for bob and carol"), mail);
    assertFalse(mail.contains("Bcc:"), mail);
    // sendmail: a lone dot ends the input
    assertFalse(mail.contains("not part of it"), mail);

    String first = sendRemote("one");
    String second = sendRemote("two");
    awaitDeferred(first, 1);
    awaitDeferred(second, 1);
    Result deleted = postino("queue", "delete", "--all-deferred");
    assertEquals(0, deleted.exit(), deleted.toString());
    assertTrue(deleted.out().contains("deleted 2 deferred message(s)"), deleted.out());
    assertEquals("Mail queue is empty\n", ChildCli.inProcess(withConf("queue", "list")).out());
  }

  @Test
  void deleteAllDeletesWhatItsFiltersTakeAndAMessageBeingDeliveredWhenItsAttemptEnds() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      JsonObject config = config(dir, true);
      config.getJsonObject("dns").getJsonObject("routes").put("silent.example", "127.0.0.1:" + silent.getLocalPort());
      conf = ChildPostino.write(dir, config);
      ChildPostino server = start(conf);
      String deferred = sendRemote("deferred");
      String held = sendRemote("held");
      awaitDeferred(deferred, 1);
      awaitDeferred(held, 1);
      assertEquals(0, ChildCli.inProcess(withConf("queue", "hold", held)).exit());
      // a destination that accepts the connection and never greets: the attempt goes on until it closes
      String active = sendTo("carol@silent.example", "active");
      try (Socket attempt = silent.accept()) {
        TestServer.await(active + " being delivered", () -> listed(active) != null && listed(active).getString("state").equals("active"));

        Result both = ChildCli.inProcess(withConf("queue", "delete", "--all", held));
        assertEquals(64, both.exit(), both.toString());
        Result none = ChildCli.inProcess(withConf("queue", "delete", "--all", "--domain", "nowhere.example"));
        assertEquals(0, none.exit(), none.toString());
        assertEquals("deleted 0 message(s)\n", none.out());
        Result onHold = postino("queue", "delete", "--all", "--hold");
        assertEquals(0, onHold.exit(), onHold.toString());
        assertEquals("deleted 1 held message(s)\n", onHold.out());
        assertEquals(null, listed(held));
        assertFalse(Files.exists(dir.resolve("spool/hold").resolve(held)));

        Result all = postino("queue", "delete", "--all");
        assertEquals(0, all.exit(), all.toString());
        assertEquals("deleted 2 message(s)\n", all.out());
        assertEquals(null, listed(deferred));
        assertFalse(Files.exists(dir.resolve("spool/incoming").resolve(deferred)));
        assertFalse(Files.exists(dir.resolve("spool/status").resolve(deferred)));
        assertEquals("active", listed(active).getString("state"), "deleted when its attempt ends");
        Result again = ChildCli.inProcess(withConf("queue", "delete", "--all"));
        assertEquals("deleted 0 message(s)\n", again.out(), "one already asked to be deleted is not counted again");
      }
      // the destination hung up: the attempt ends, and the message is deleted rather than deferred
      server.awaitOutput(active + ": removed");
      assertEquals("Mail queue is empty\n", ChildCli.inProcess(withConf("queue", "list")).out());
      for (String id : List.of(deferred, held)) {
        assertTrue(server.output().contains(id + ": removed"), server.output());
      }
    }
  }

  @Test
  void aStoppedServersSpoolIsReadButNotChanged() throws Exception {
    ChildPostino server = start(conf);
    String id = sendRemote("while down");
    awaitDeferred(id, 1);
    server.kill();

    Result list = postino("queue", "list");
    assertEquals(0, list.exit(), list.toString());
    assertTrue(list.err().contains("no server answers on the admin port"), list.err());
    assertTrue(list.out().contains(id + " "), list.out());
    assertTrue(list.out().contains("(451 4.4.1 connect to 127.0.0.1"), list.out());
    Result show = ChildCli.inProcess(withConf("queue", "show", id));
    assertEquals(0, show.exit(), show.toString());
    assertTrue(show.out().contains("Subject: while down"), show.out());

    Result hold = postino("queue", "hold", id);
    assertEquals(69, hold.exit(), hold.toString());
    assertTrue(hold.err().contains("hold needs a running server"), hold.err());
    assertTrue(Files.exists(dir.resolve("spool/incoming").resolve(id)), "nothing changed");
    assertEquals(69, ChildCli.inProcess(withConf("queue", "flush")).exit());

    Result status = postino("status");
    assertEquals(3, status.exit(), status.toString());
    assertTrue(status.out().contains("Postino is not running"), status.out());
    assertTrue(status.out().contains("1 message(s), active 0, pending 0, deferred 1, hold 0"), status.out());

    // without the token file (a server that never ran with this configuration) the spool is read too
    Files.delete(dir.resolve("admin.token"));
    Result noToken = ChildCli.inProcess(withConf("queue", "list"));
    assertEquals(0, noToken.exit(), noToken.toString());
    assertTrue(noToken.out().contains(id + " "), noToken.out());

    // a server without an admin port holds the spool's lock: the spool is not read under it
    start(ChildPostino.write(dir, config(dir, false)));
    Result locked = ChildCli.inProcess(withConf("queue", "list"));
    assertEquals(69, locked.exit(), locked.toString());
    assertTrue(locked.err().contains("but a server runs on the spool " + dir.resolve("spool")), locked.err());
  }

  @Test
  void aSecondServerOnTheSameSpoolFailsNamingTheDirectory() throws Exception {
    start(conf);
    Path other = dir.resolve("other");
    Files.createDirectories(other);
    JsonObject second = config(dir, true);
    second.getJsonObject("maildir").put("root", other.resolve("maildir").toString());
    Path secondConf = other.resolve("postino.json");
    Files.writeString(secondConf, second.encodePrettily());
    Exception refused = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> start(secondConf));
    assertTrue(refused.getMessage().contains("spool directory " + dir.resolve("spool") + " is in use by another Postino process"),
        refused.getMessage());
  }
}
