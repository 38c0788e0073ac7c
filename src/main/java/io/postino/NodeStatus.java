package io.postino;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.function.Supplier;

/** What {@code GET /api/status} says of the node that answers: version, uptime, roles, listeners. */
final class NodeStatus {

  private static final String VERSION = readVersion();

  private NodeStatus() {
  }

  /** Postino's version, from the build ({@code version.properties}, filtered by Maven). */
  static String version() {
    return VERSION;
  }

  private static String readVersion() {
    try (InputStream in = NodeStatus.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What the status says of {@code node}, started now (its admin port starts last). */
  static Supplier<JsonObject> of(Postino node) {
    long started = System.currentTimeMillis();
    return () -> describe(node, started);
  }

  private static JsonObject describe(Postino node, long started) {
    PostinoOptions options = node.options();
    JsonArray roles = new JsonArray();
    options.getRoles().forEach(r -> roles.add(r.jsonName()));
    JsonArray listeners = new JsonArray();
    String host = options.getSmtp().getHost();
    listener(listeners, "smtp", host, node.smtpPort());
    listener(listeners, "submission", host, node.submissionPort());
    listener(listeners, "smtps", host, node.smtpsPort());
    listener(listeners, "admin", options.getAdmin().getHost(), node.adminPort());
    return new JsonObject()
        .put("version", VERSION)
        .put("hostname", options.getHostname())
        .put("started", Instant.ofEpochMilli(started).toString())
        .put("uptimeSeconds", Duration.ofMillis(System.currentTimeMillis() - started).toSeconds())
        .put("roles", roles)
        .put("listeners", listeners);
  }

  private static void listener(JsonArray listeners, String name, String host, int port) {
    if (port > 0) {
      listeners.add(new JsonObject().put("name", name).put("host", host).put("port", port));
    }
  }
}
