package io.postino.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.ChildPostino;
import io.postino.testing.ChildPostino.Result;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code postino check-config} as an operator runs it: every problem at once, exit 0 or 78. */
class CheckConfigCommandTest {

  @TempDir
  Path dir;

  private Result checkConfig(JsonObject config) throws Exception {
    Path conf = ChildPostino.write(dir, config);
    return ChildPostino.run(ChildPostino.command(List.of(), "check-config", "-conf", conf.toString()), Map.of());
  }

  @Test
  void aGoodConfigurationIsOk() throws Exception {
    Result result = checkConfig(ChildPostino.config(dir));
    assertEquals(0, result.exitCode(), result.output());
    assertTrue(result.output().contains("postino.json: configuration OK"), result.output());
  }

  @Test
  void everyProblemIsPrintedWithItsPath() throws Exception {
    Path cert = dir.resolve("missing.pem");
    Path notADirectory = Files.writeString(dir.resolve("a-file"), "");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      JsonObject config = ChildPostino.config(dir)
          .put("localDomains", new JsonArray())
          .put("submission", new JsonObject().put("enabled", true).put("port", taken.getLocalPort()))
          .put("tls", new JsonObject().put("enabled", true)
              .put("certificate", cert.toString()).put("key", dir.resolve("key.pem").toString()))
          .put("auth", new JsonObject().put("enabled", true).put("usersFile", dir.resolve("users").toString()))
          .put("queue", new JsonObject().put("maxBackof", 60))
          .put("maildir", new JsonObject().put("root", notADirectory.resolve("maildir").toString()));
      config.getJsonObject("smtp").put("maxMesageSize", 1000).put("maxRecipients", "ten");

      Result result = checkConfig(config);
      assertEquals(78, result.exitCode(), result.output());
      List<String> expected = List.of(
          "smtp.maxRecipients: expected a number, got \"ten\"",
          "localDomains: at least one local domain is needed",
          "unknown key smtp.maxMesageSize (did you mean smtp.maxMessageSize?)",
          "unknown key queue.maxBackof (did you mean queue.maxBackoff?)",
          "maildir.root " + notADirectory.resolve("maildir") + ": not a directory: " + notADirectory,
          "tls.certificate " + cert + ": no such file or directory",
          "submission listener 127.0.0.1:" + taken.getLocalPort() + ": address already in use",
          "postino.json: 7 problems");
      for (String line : expected) {
        assertTrue(result.output().contains(line), "expected \"" + line + "\" in:\n" + result.output());
      }
    }
  }

  @Test
  void thePortsOfTheServerRunningOnTheSpoolAreNotAProblem() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    JsonObject config = ChildPostino.config(dir);
    config.getJsonObject("smtp").put("port", port);
    try (ChildPostino running = ChildPostino.start(ChildPostino.write(dir, config))) {
      assertEquals(port, running.port());
      Result result = checkConfig(config);
      assertEquals(0, result.exitCode(), result.output());
    }
    // without the server the same port, taken by someone else, is a problem
    try (ServerSocket taken = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      Result result = checkConfig(config);
      assertEquals(78, result.exitCode(), result.output());
      assertTrue(result.output().contains("smtp listener 127.0.0.1:" + port + ": address already in use"),
          result.output());
    }
  }
}
