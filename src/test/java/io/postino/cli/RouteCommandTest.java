package io.postino.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.dns.TestDnsServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** {@code postino route DOMAIN}: its JSON output and exit status, against a test DNS server. */
class RouteCommandTest {

  private TestDnsServer dns;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @TempDir
  Path dir;
  private Path emptyConf;

  @BeforeEach
  void startDns() throws IOException {
    // an explicit, empty configuration: conf/postino.json of the working directory stays out
    emptyConf = Files.writeString(dir.resolve("empty.json"), "{}");
    dns = TestDnsServer.start().zone(
        "example.org. 300 IN MX 10 mx1.example.org.",
        "mx1.example.org. 300 IN A 192.0.2.1",
        "null.example. 300 IN MX 0 .");
  }

  @AfterEach
  void stopDns() throws IOException {
    dns.close();
  }

  private int route(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (!all.contains("-conf")) {
      all.addAll(List.of("-conf", emptyConf.toString()));
    }
    return new CommandLine(new RouteCommand())
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(all.toArray(String[]::new));
  }

  @Test
  void aRoutePrintsTheBusReplyJsonAndExits0() {
    assertEquals(0, route("example.org", "--dns", dns.address()));
    JsonObject json = new JsonObject(out.toString());
    assertEquals("mx", json.getString("source"));
    assertEquals("mx1.example.org", json.getJsonArray("hosts").getJsonObject(0).getString("name"));
  }

  @Test
  void aPermanentFailureExits2() {
    assertEquals(2, route("null.example", "--dns", dns.address()));
    assertEquals("5.1.10", new JsonObject(out.toString()).getString("status"));
    assertEquals(2, route("nowhere.example", "--dns", dns.address()));
  }

  @Test
  void aTemporaryFailureExits75() {
    dns.mode(TestDnsServer.Mode.SERVFAIL);
    assertEquals(75, route("example.org", "--dns", dns.address()));
    assertEquals(false, new JsonObject(out.toString()).getBoolean("permanent"));
  }

  @Test
  void theDnsObjectOfTheConfigFileIsUsed() throws IOException {
    Path conf = dir.resolve("postino.json");
    Files.writeString(conf, new JsonObject()
        .put("dns", new JsonObject()
            .put("servers", new JsonArray().add(dns.address()))
            .put("routes", new JsonObject().put("lab.example", "127.0.0.1:2526")))
        .encode());
    assertEquals(0, route("lab.example", "-conf", conf.toString()));
    JsonObject json = new JsonObject(out.toString());
    assertEquals("static", json.getString("source"));
    assertEquals(2526, json.getJsonArray("hosts").getJsonObject(0).getInteger("port"));
  }

  @Test
  void aRouteToThisServersOwnListenerIsALoop() throws IOException {
    // the default SMTP listener is 0.0.0.0:2525: a route there would send mail back to us
    Path conf = dir.resolve("postino.json");
    Files.writeString(conf, new JsonObject()
        .put("dns", new JsonObject()
            .put("servers", new JsonArray().add(dns.address()))
            .put("routes", new JsonObject().put("lab.example", "127.0.0.1:2525")))
        .encode());
    assertEquals(2, route("lab.example", "-conf", conf.toString()));
    assertEquals("5.4.6", new JsonObject(out.toString()).getString("status"));
  }

  @Test
  void dnsOnTheCommandLineOverridesTheConfigFile() throws IOException {
    try (TestDnsServer silent = TestDnsServer.start().mode(TestDnsServer.Mode.SILENT)) {
      Path conf = Files.writeString(dir.resolve("postino.json"), new JsonObject()
          .put("dns", new JsonObject().put("servers", new JsonArray().add(silent.address())).put("queryTimeout", 100))
          .encode());
      assertEquals(0, route("example.org", "-conf", conf.toString(), "--dns", dns.address()));
      assertEquals(0, silent.queries().size());
    }
  }

  @Test
  void anInvalidCommandLineExits64NotTheTwoOfPermanentFailures() {
    assertEquals(64, route("--no-such-option", "example.org"));
  }

  @Test
  void asASubcommandItKeepsItsExitStatuses() {
    CommandLine postino = new CommandLine(CommandSpec.create().name("postino"))
        .addSubcommand(new RouteCommand())
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true));
    assertEquals(0, postino.execute("route", "example.org", "--dns", dns.address(), "-conf", emptyConf.toString()));
    assertEquals(2, postino.execute("route", "null.example", "--dns", dns.address(), "-conf", emptyConf.toString()));
    assertEquals(64, postino.execute("route", "--no-such-option", "example.org"));
  }

  @Test
  void anInvalidConfigExits78() throws IOException {
    Path conf = dir.resolve("postino.json");
    Files.writeString(conf, "{\"dns\": {\"servers\": [\"not-an-ip\"]}}");
    assertEquals(78, route("example.org", "-conf", conf.toString()));
    assertTrue(err.toString().contains("invalid configuration"), err.toString());
  }
}
