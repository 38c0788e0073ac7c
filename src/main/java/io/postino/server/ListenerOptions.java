package io.postino.server;

import io.postino.config.JsonReader;
import io.vertx.core.json.JsonObject;

/**
 * Options of an additional listener, the submission port or the implicit-TLS port: whether it runs,
 * its port and whether it sits behind a load balancer (its own {@link ProxyProtocolOptions}, as
 * the SMTP listener has its own in {@link ServerOptions}). Everything else (host, instances, limits, timeouts) comes from the {@code "smtp"}
 * options. Maps onto the {@code "submission"} and {@code "smtps"} objects of
 * {@code conf/postino.json}.
 *
 * <p>Both are off unless configured, so that an embedding application opens no port it did not
 * ask for; the shipped {@code conf/postino.json} turns them on, on unprivileged ports.
 */
public final class ListenerOptions {

  public static final boolean DEFAULT_ENABLED = false;
  /** Unprivileged stand-in for 587, so that {@code java -jar} works without root. */
  public static final int DEFAULT_SUBMISSION_PORT = 5587;
  /** Unprivileged stand-in for 465. */
  public static final int DEFAULT_SMTPS_PORT = 5465;

  private boolean enabled = DEFAULT_ENABLED;
  private int port;
  private ProxyProtocolOptions proxyProtocol;

  public ListenerOptions(int port) {
    setPort(port);
  }

  public ListenerOptions(ListenerOptions other) {
    this.enabled = other.enabled;
    this.port = other.port;
    this.proxyProtocol = other.proxyProtocol;
  }

  /**
   * Reads a {@code "submission"} or {@code "smtps"} object on its own: unknown keys and wrong types
   * are refused.
   *
   * @param defaultPort the port when the JSON has none
   */
  public ListenerOptions(JsonObject json, int defaultPort) {
    JsonReader reader = JsonReader.of(json);
    read(reader, defaultPort);
    reader.reportUnknown();
  }

  /** Reads a listener's object of a whole configuration, whose reader reports unknown keys. */
  public ListenerOptions(JsonReader json, int defaultPort) {
    read(json, defaultPort);
  }

  private void read(JsonReader json, int defaultPort) {
    setEnabled(json.bool("enabled", DEFAULT_ENABLED));
    setPort(json.integer("port", defaultPort));
    setProxyProtocol(ProxyProtocolOptions.read(json));
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("enabled", enabled).put("port", port);
    return proxyProtocol == null ? json : json.put("proxyProtocol", proxyProtocol.toJson());
  }

  public boolean isEnabled() {
    return enabled;
  }

  public ListenerOptions setEnabled(boolean enabled) {
    this.enabled = enabled;
    return this;
  }

  public int getPort() {
    return port;
  }

  /** 0 picks a free port (tests); read the real one from {@code Postino}. */
  public ListenerOptions setPort(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    this.port = port;
    return this;
  }

  /** Null (the default) when this listener reads no PROXY protocol header. */
  public ProxyProtocolOptions getProxyProtocol() {
    return proxyProtocol;
  }

  public ListenerOptions setProxyProtocol(ProxyProtocolOptions proxyProtocol) {
    this.proxyProtocol = proxyProtocol;
    return this;
  }
}
