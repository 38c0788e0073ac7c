package io.postino.alias;

import io.postino.config.JsonReader;
import io.vertx.core.json.JsonObject;

/**
 * The {@code srs} object of {@code conf/postino.json}: the Sender Rewriting Scheme for mail
 * forwarded to other domains (see {@link Srs}).
 */
public final class SrsOptions {

  public static final boolean DEFAULT_ENABLED = true;

  private boolean enabled = DEFAULT_ENABLED;
  private String domain;
  private String secret;
  private String secretFile;
  private int maxAge = Srs.DEFAULT_MAX_AGE_DAYS;

  public SrsOptions() {
  }

  public SrsOptions(SrsOptions other) {
    this.enabled = other.enabled;
    this.domain = other.domain;
    this.secret = other.secret;
    this.secretFile = other.secretFile;
    this.maxAge = other.maxAge;
  }

  /** Reads the {@code srs} object of a whole configuration, whose reader reports unknown keys. */
  public SrsOptions(JsonReader json) {
    setEnabled(json.bool("enabled", DEFAULT_ENABLED));
    setDomain(json.string("domain", null));
    setSecret(json.string("secret", null));
    setSecretFile(json.string("secretFile", null));
    setMaxAge(json.integer("maxAge", Srs.DEFAULT_MAX_AGE_DAYS));
  }

  public JsonObject toJson() {
    return new JsonObject().put("enabled", enabled).put("domain", domain).put("secret", secret)
        .put("secretFile", secretFile).put("maxAge", maxAge);
  }

  /** Rewrite the sender of forwarded mail, and take bounces to the rewritten addresses. */
  public boolean isEnabled() {
    return enabled;
  }

  public SrsOptions setEnabled(boolean enabled) {
    this.enabled = enabled;
    return this;
  }

  /** The domain of the rewritten senders; null: the local domain of the address that forwarded. */
  public String getDomain() {
    return domain;
  }

  public SrsOptions setDomain(String domain) {
    this.domain = domain;
    return this;
  }

  /** The HMAC key, at least 16 characters; null: the one in {@link #getSecretFile()}. */
  public String getSecret() {
    return secret;
  }

  public SrsOptions setSecret(String secret) {
    if (secret != null && secret.strip().length() < 16) {
      throw new IllegalArgumentException("srs.secret: at least 16 characters needed");
    }
    this.secret = secret;
    return this;
  }

  /** The file of the HMAC key, made (mode 0600) at the first start; null: {@code srs.secret} next to the spool. */
  public String getSecretFile() {
    return secretFile;
  }

  public SrsOptions setSecretFile(String secretFile) {
    this.secretFile = secretFile;
    return this;
  }

  /** Days a rewritten sender takes bounces. */
  public int getMaxAge() {
    return maxAge;
  }

  public SrsOptions setMaxAge(int maxAge) {
    if (maxAge < 1 || maxAge > 1000) {
      throw new IllegalArgumentException("srs.maxAge must be from 1 to 1000 days: " + maxAge);
    }
    this.maxAge = maxAge;
    return this;
  }
}
