package io.postino.server.tls;

import io.postino.config.JsonReader;
import io.postino.config.Seconds;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * TLS options shared by every listener: STARTTLS on the SMTP and submission ports, and the
 * implicit-TLS port. Maps onto the {@code "tls"} object of {@code conf/postino.json}; durations
 * there are seconds (fractions allowed).
 *
 * <p>Without {@code certificate} and {@code key}, a self-signed certificate is generated at first
 * start in {@code directory} and reused afterwards, so that STARTTLS works out of the box.
 */
public final class TlsOptions {

  public static final boolean DEFAULT_ENABLED = true;
  /** Protocol versions offered: nothing older than TLS 1.2 (RFC 8996). */
  public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.2", "TLSv1.3");
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
  /** How often the certificate and key files are checked for changes. */
  public static final Duration DEFAULT_WATCH_INTERVAL = Duration.ofSeconds(5);

  private boolean enabled = DEFAULT_ENABLED;
  private String certificate;
  private String key;
  private String directory;
  private List<String> protocols = DEFAULT_PROTOCOLS;
  private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
  private Duration watchInterval = DEFAULT_WATCH_INTERVAL;

  public TlsOptions() {
  }

  public TlsOptions(TlsOptions other) {
    this(other.toJson());
  }

  /** Reads a {@code "tls"} object on its own: unknown keys and wrong types are refused. */
  public TlsOptions(JsonObject json) {
    this();
    JsonReader reader = JsonReader.of(json, "tls");
    read(reader);
    reader.reportUnknown();
  }

  /** Reads the {@code "tls"} object of a whole configuration, whose reader reports unknown keys. */
  public TlsOptions(JsonReader json) {
    this();
    read(json);
  }

  private void read(JsonReader json) {
    setEnabled(json.bool("enabled", DEFAULT_ENABLED));
    setCertificate(json.string("certificate", null));
    setKey(json.string("key", null));
    setDirectory(json.string("directory", null));
    if (json.has("protocols")) {
      setProtocols(json.stringList("protocols", List.of()));
    }
    setHandshakeTimeout(json.seconds("handshakeTimeout", DEFAULT_HANDSHAKE_TIMEOUT));
    setWatchInterval(json.seconds("watchInterval", DEFAULT_WATCH_INTERVAL));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("enabled", enabled)
        .put("certificate", certificate)
        .put("key", key)
        .put("directory", directory)
        .put("protocols", new JsonArray(new ArrayList<>(protocols)))
        .put("handshakeTimeout", Seconds.of(handshakeTimeout))
        .put("watchInterval", Seconds.of(watchInterval));
  }

  public boolean isEnabled() {
    return enabled;
  }

  /** False: no STARTTLS, no implicit-TLS listener, and so no AUTH unless plaintext AUTH is allowed. */
  public TlsOptions setEnabled(boolean enabled) {
    this.enabled = enabled;
    return this;
  }

  public String getCertificate() {
    return certificate;
  }

  /** PEM file with the certificate, then any intermediate certificates; null for the generated one. */
  public TlsOptions setCertificate(String certificate) {
    this.certificate = certificate;
    return this;
  }

  public String getKey() {
    return key;
  }

  /** PEM file with the private key (PKCS#8, or the traditional RSA/EC forms), unencrypted. */
  public TlsOptions setKey(String key) {
    this.key = key;
    return this;
  }

  public String getDirectory() {
    return directory;
  }

  /** Where the generated certificate lives; null: a {@code tls} directory next to the spool. */
  public TlsOptions setDirectory(String directory) {
    this.directory = directory;
    return this;
  }

  public List<String> getProtocols() {
    return protocols;
  }

  public TlsOptions setProtocols(List<String> protocols) {
    if (protocols.isEmpty()) {
      throw new IllegalArgumentException("protocols must not be empty");
    }
    this.protocols = List.copyOf(protocols);
    return this;
  }

  public Duration getHandshakeTimeout() {
    return handshakeTimeout;
  }

  /** A client that has not finished its handshake by then is disconnected. */
  public TlsOptions setHandshakeTimeout(Duration handshakeTimeout) {
    this.handshakeTimeout = Seconds.positive("handshakeTimeout", handshakeTimeout);
    return this;
  }

  public Duration getWatchInterval() {
    return watchInterval;
  }

  public TlsOptions setWatchInterval(Duration watchInterval) {
    this.watchInterval = Seconds.positive("watchInterval", Objects.requireNonNull(watchInterval));
    return this;
  }
}
