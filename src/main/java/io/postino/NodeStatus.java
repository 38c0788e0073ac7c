package io.postino;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;

/** What a node says of itself: to the cluster (its member entry), and in {@code GET /api/status}. */
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

  /**
   * What this node announces to the cluster ({@code io.postino.admin.MemberAnnouncer}): its id,
   * host name, version, start time, roles and SMTP listeners, {@code port} (SMTP 0, submission 1,
   * implicit TLS 2; -1 for none) being asked at each announcement (the listeners bind after the
   * announcer is made).
   */
  static Supplier<JsonObject> member(String id, PostinoOptions options, IntUnaryOperator port) {
    long started = System.currentTimeMillis();
    return () -> describe(options, port.applyAsInt(0), port.applyAsInt(1), port.applyAsInt(2), -1, started)
        .put("id", id);
  }

  /** What {@code GET /api/status} says of {@code node}, started now (its admin port starts last). */
  static Supplier<JsonObject> of(Postino node) {
    long started = System.currentTimeMillis();
    return () -> describe(node.options(), node.smtpPort(), node.submissionPort(), node.smtpsPort(), node.adminPort(),
        started).put("uptimeSeconds", Duration.ofMillis(System.currentTimeMillis() - started).toSeconds());
  }

  private static JsonObject describe(PostinoOptions options, int smtp, int submission, int smtps, int admin,
      long started) {
    JsonArray roles = new JsonArray();
    options.getRoles().forEach(r -> roles.add(r.jsonName()));
    JsonArray listeners = new JsonArray();
    String host = options.getSmtp().getHost();
    listener(listeners, "smtp", host, smtp);
    listener(listeners, "submission", host, submission);
    listener(listeners, "smtps", host, smtps);
    listener(listeners, "admin", options.getAdmin().getHost(), admin);
    return new JsonObject()
        .put("version", VERSION)
        .put("hostname", options.getHostname())
        .put("started", Instant.ofEpochMilli(started).toString())
        .put("roles", roles)
        .put("listeners", listeners);
  }

  private static void listener(JsonArray listeners, String name, String host, int port) {
    if (port > 0) {
      listeners.add(new JsonObject().put("name", name).put("host", host).put("port", port));
    }
  }
}
