package io.postino.admin;

import io.postino.config.JsonReader;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The operator's HTTP port, the {@code "admin"} object of {@code conf/postino.json}: the admin API
 * behind {@code postino queue ...}, health checks, metrics and the status page.
 *
 * <p>Off unless configured, so that an embedding application opens no port it did not ask for; the
 * shipped {@code conf/postino.json} turns it on, on loopback.
 */
public final class AdminOptions {

  public static final boolean DEFAULT_ENABLED = false;
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8025;
  public static final String DEFAULT_TOKEN_FILE = "data/admin.token";

  private boolean enabled = DEFAULT_ENABLED;
  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  private Path tokenFile = Path.of(DEFAULT_TOKEN_FILE);

  public AdminOptions() {
  }

  public AdminOptions(AdminOptions other) {
    this.enabled = other.enabled;
    this.host = other.host;
    this.port = other.port;
    this.tokenFile = other.tokenFile;
  }

  /** Reads the {@code "admin"} object of a whole configuration, whose reader reports unknown keys. */
  public AdminOptions(JsonReader json) {
    setEnabled(json.bool("enabled", DEFAULT_ENABLED));
    setHost(json.string("host", DEFAULT_HOST));
    setPort(json.integer("port", DEFAULT_PORT));
    setTokenFile(Path.of(json.string("tokenFile", DEFAULT_TOKEN_FILE)));
  }

  public JsonObject toJson() {
    return new JsonObject().put("enabled", enabled).put("host", host).put("port", port)
        .put("tokenFile", tokenFile.toString());
  }

  public boolean isEnabled() {
    return enabled;
  }

  public AdminOptions setEnabled(boolean enabled) {
    this.enabled = enabled;
    return this;
  }

  /** The address to listen on: loopback by default. */
  public String getHost() {
    return host;
  }

  public AdminOptions setHost(String host) {
    this.host = Objects.requireNonNull(host, "host");
    return this;
  }

  public int getPort() {
    return port;
  }

  /** 0 picks a free port (tests); read the real one from {@code Postino.adminPort()}. */
  public AdminOptions setPort(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("admin.port out of range: " + port);
    }
    this.port = port;
    return this;
  }

  /**
   * The file holding the bearer token the admin API asks for: created (mode 0600) with a random
   * token at start when missing, read by the command line. Whoever can read it may manage the
   * queue, as whoever may run Postfix's {@code postsuper}.
   */
  public Path getTokenFile() {
    return tokenFile;
  }

  public AdminOptions setTokenFile(Path tokenFile) {
    this.tokenFile = Objects.requireNonNull(tokenFile, "tokenFile");
    return this;
  }
}
