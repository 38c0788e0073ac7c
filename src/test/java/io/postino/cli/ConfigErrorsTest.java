package io.postino.cli;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.ChildPostino;
import io.postino.testing.ChildPostino.Result;
import io.postino.testing.SmtpTestClient;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configuration errors as an operator meets them: the process exits 78 ({@code EX_CONFIG}) with one
 * line naming the key, the listener or the file and why; and the environment and system property
 * overrides a container sets.
 */
class ConfigErrorsTest {

  @TempDir
  Path dir;

  private Result run(JsonObject config, Map<String, String> env, String... jvmOptions) throws Exception {
    Path conf = ChildPostino.write(dir, config);
    return ChildPostino.run(ChildPostino.command(List.of(jvmOptions), "-conf", conf.toString()), env);
  }

  private static void assertConfigError(Result result, String message) {
    assertEquals(78, result.exitCode(), result.output());
    assertTrue(result.output().contains(message), "expected \"" + message + "\" in:\n" + result.output());
  }

  @Test
  void anUnknownKeyIsNamedWithTheNearestKnownOne() throws Exception {
    JsonObject config = ChildPostino.config(dir);
    config.getJsonObject("smtp").put("maxMesageSize", 1000);
    assertConfigError(run(config, Map.of()),
        "unknown configuration key smtp.maxMesageSize (did you mean smtp.maxMessageSize?)");
  }

  @Test
  void aWrongTypeNamesTheKeyAndTheExpectedType() throws Exception {
    JsonObject config = ChildPostino.config(dir);
    config.getJsonObject("smtp").put("port", "ten");
    assertConfigError(run(config, Map.of()), "smtp.port: expected a number, got \"ten\"");
  }

  @Test
  void aPortInUseNamesTheListenerAndItsAddress() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      JsonObject config = ChildPostino.config(dir);
      config.getJsonObject("smtp").put("port", taken.getLocalPort());
      assertConfigError(run(config, Map.of()),
          "smtp listener 127.0.0.1:" + taken.getLocalPort() + ": address already in use");
    }
  }

  @Test
  void aMissingCertificateIsNamed() throws Exception {
    Path cert = dir.resolve("missing.pem");
    JsonObject config = ChildPostino.config(dir).put("tls", new JsonObject()
        .put("enabled", true).put("certificate", cert.toString()).put("key", dir.resolve("key.pem").toString()));
    assertConfigError(run(config, Map.of()), "tls.certificate " + cert + ": no such file or directory");
  }

  @Test
  void aSpoolDirectoryThatCannotBeMadeIsNamed() throws Exception {
    // a file where a directory should be (the tests run as root, so a permission cannot be refused)
    Path file = Files.writeString(dir.resolve("a-file"), "");
    Path spool = file.resolve("spool");
    JsonObject config = ChildPostino.config(dir).put("spool", new JsonObject().put("directory", spool.toString()));
    Result result = run(config, Map.of());
    assertConfigError(result, "spool directory " + spool + ": ");
    assertTrue(result.output().contains("not a directory: " + file), result.output());
  }

  @Test
  void anOverrideThatNamesNoKeyIsRefusedWithASuggestion() throws Exception {
    assertConfigError(run(ChildPostino.config(dir), Map.of("POSTINO_SMTP_MAXMESAGESIZE", "1000")),
        "environment variable POSTINO_SMTP_MAXMESAGESIZE: no configuration key smtp.maxmesagesize "
            + "(did you mean smtp.maxMessageSize?)");
    assertConfigError(run(ChildPostino.config(dir), Map.of("POSTINO_SMTP_PORT", "ten")),
        "smtp.port: expected a number, got \"ten\"");
  }

  @Test
  void systemPropertiesOverrideTheEnvironmentWhichOverridesTheFile() throws Exception {
    Path conf = ChildPostino.write(dir, ChildPostino.config(dir));
    try (ChildPostino server = ChildPostino.start(
        ChildPostino.command(List.of("-Dpostino.hostname=mx.property.example"), "-conf", conf.toString()),
        Map.of("POSTINO_HOSTNAME", "mx.environment.example",
            "POSTINO_LOCALDOMAINS", "[\"env.example\"]",
            "POSTINO_SMTP_MAXRECIPIENTS", "1"));
        SmtpTestClient c = new SmtpTestClient(server.port())) {
      String greeting = expect(c.read(), 220).text();
      assertTrue(greeting.startsWith("220 mx.property.example "), greeting);
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<alice@env.example>"), 250);
      expect(c.command("RCPT TO:<bob@env.example>"), 250);
      expect(c.command("RCPT TO:<carol@env.example>"), 452);
      assertTrue(server.output().contains("local domains [env.example]"), server.output());
    }
  }
}
