package io.postino.it;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.postino.Reloaded;
import io.postino.testing.ChildPostino;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGHUP reloads the configuration file of a running server without dropping its sessions (as
 * {@code postfix reload}), and {@code Postino.reload} does the same for an embedder or the admin
 * API: what can change at run time applies to new sessions, what cannot is named.
 */
class ReloadTest {

  @TempDir
  Path dir;

  private static JsonObject withUsers(JsonObject config, String... users) {
    return config.put("localUsers", new JsonObject().put("local.example", new JsonArray(List.of(users))));
  }

  private static final String HUP_IGNORED =
      "SIGHUP is ignored by this test run (started under nohup?), so by every server it starts";

  @Test
  void sighupAddsALocalUserForNewSessionsAndKeepsTheOpenOnes() throws Exception {
    assumeFalse(ChildPostino.hangUpIgnored(), HUP_IGNORED);
    Path conf = ChildPostino.write(dir, withUsers(ChildPostino.config(dir), "bob"));
    try (ChildPostino server = ChildPostino.start(conf);
        SmtpTestClient open = new SmtpTestClient(server.port())) {
      expect(open.read(), 220);
      expect(open.command("EHLO open.example"), 250);
      expect(open.command("MAIL FROM:<alice@local.example>"), 250);
      expect(open.command("RCPT TO:<carol@local.example>"), 550);

      // carol is added, and the port changed (which needs a restart)
      JsonObject changed = withUsers(ChildPostino.config(dir), "bob", "carol");
      changed.getJsonObject("smtp").put("port", 1);
      Files.writeString(conf, changed.encodePrettily());
      server.hangUp();
      server.awaitOutput("need a restart to take effect: smtp.port");
      assertTrue(server.output().contains("now in force for new sessions: localUsers.local.example"), server.output());

      // the open session goes on
      expect(open.command("RCPT TO:<bob@local.example>"), 250);
      expect(open.command("NOOP"), 250);
      // a new session knows carol, on the port bound at the start
      try (SmtpTestClient fresh = new SmtpTestClient(server.port())) {
        expect(fresh.read(), 220);
        expect(fresh.startData("alice@local.example", "carol@local.example"), 354);
      }

      // a file that does not read is refused, and the server runs on as it was
      Files.writeString(conf, withUsers(ChildPostino.config(dir), "bob").put("smtpp", new JsonObject())
          .encodePrettily());
      server.hangUp();
      server.awaitOutput("not reloaded, the running configuration stays: unknown configuration key smtpp");
      try (SmtpTestClient fresh = new SmtpTestClient(server.port())) {
        expect(fresh.read(), 220);
        expect(fresh.startData("alice@local.example", "carol@local.example"), 354);
      }
      expect(open.command("QUIT"), 221);
    }
  }

  @Test
  void aHangUpWhileTheServerStartsReloadsOnceItHasStarted() throws Exception {
    assumeFalse(ChildPostino.hangUpIgnored(), HUP_IGNORED);
    Path conf = ChildPostino.write(dir, withUsers(ChildPostino.config(dir), "bob"));
    // signalled while it starts, before it listens (the JVM's own handler would make it exit)
    try (ChildPostino server = ChildPostino.startUntil(
        ChildPostino.command(List.of(), "-conf", conf.toString()), "TLS reports: counts kept")) {
      Files.writeString(conf, withUsers(ChildPostino.config(dir), "bob", "carol").encodePrettily());
      server.hangUp();
      server.awaitOutput("now in force for new sessions: localUsers.local.example");
      assertTrue(server.output().indexOf(" started: ") < server.output().indexOf("SIGHUP: reloading"),
          server.output());
      Matcher listening = Pattern.compile("listening for SMTP on \\S+:(\\d+) ").matcher(server.output());
      assertTrue(listening.find(), server.output());
      try (SmtpTestClient fresh = new SmtpTestClient(Integer.parseInt(listening.group(1)))) {
        expect(fresh.read(), 220);
        expect(fresh.startData("alice@local.example", "carol@local.example"), 354);
      }
    }
  }

  @Test
  void aServerWhoseParentLeftSighupIgnoredSaysItCannotReloadOnIt() throws Exception {
    Path conf = ChildPostino.write(dir, ChildPostino.config(dir));
    // as nohup leaves it: ignored from the start, which a JVM cannot undo
    List<String> command = new ArrayList<>(List.of("sh", "-c", "trap '' HUP; exec \"$0\" \"$@\""));
    command.addAll(ChildPostino.command(List.of(), "-conf", conf.toString()));
    try (ChildPostino server = ChildPostino.start(command, Map.of())) {
      server.awaitOutput("SIGHUP is ignored by this process, as its parent left it (nohup does so for SIGHUP):"
          + " no reload on SIGHUP");
    }
  }

  @Test
  void reloadSaysWhatAppliedAndWhatNeedsARestart() throws Exception {
    try (TestServer server = new TestServer(dir)) {
      server.config.put("localUsers", new JsonObject().put("local.example", new JsonArray().add("bob")));
      server.start();
      JsonObject next = server.config.copy();
      next.getJsonObject("localUsers").getJsonArray("local.example").add("carol");
      next.getJsonObject("smtp").put("maxRecipients", 1).put("port", 2526);
      next.put("spool", new JsonObject().put("directory", dir.resolve("elsewhere").toString()));
      next.getJsonObject("dns").getJsonObject("routes").put("a.test", "127.0.0.1:2");

      Reloaded reloaded = server.postino.reload(next).await();
      assertEquals(List.of("dns.routes.a.test", "localUsers.local.example", "smtp.maxRecipients"), reloaded.applied());
      assertEquals(List.of("smtp.port", "spool.directory"), reloaded.needsRestart());
      assertEquals(1, server.postino.options().getSmtp().getMaxRecipients());
      assertEquals(server.config.getJsonObject("smtp").getInteger("port"), server.postino.options().getSmtp().getPort());

      try (SmtpTestClient c = server.connect()) {
        expect(c.command("EHLO client.example"), 250);
        expect(c.command("MAIL FROM:<alice@local.example>"), 250);
        expect(c.command("RCPT TO:<carol@local.example>"), 250);
        assertEquals("4.5.3", expect(c.command("RCPT TO:<bob@local.example>"), 452).enhanced());
      }
      // again: nothing more applies, and the restart is still needed
      Reloaded again = server.postino.reload(next).await();
      assertEquals(List.of(), again.applied());
      assertEquals(List.of("smtp.port", "spool.directory"), again.needsRestart());
      assertTrue(server.postino.reload(server.postino.options()).await().unchanged());
      assertThrows(IllegalArgumentException.class,
          () -> server.postino.reload(next.copy().put("smtpp", new JsonObject())).await());
      assertFalse(server.postino.options().getLocalUsers().get("local.example").isEmpty());
    }
  }
}
