package io.postino.server;

import io.postino.config.JsonReader;
import io.postino.config.Seconds;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Options of the event-bus policy hooks ({@link ApplicationPolicy}): whether they are asked, how
 * long an answer may take, and what an unanswered question means. Maps onto the {@code "policy"}
 * object of {@code conf/postino.json}.
 */
public final class PolicyOptions {

  /** What a question without a usable answer (timeout, failure, nonsense) means. */
  public enum OnFailure {
    /** Take the recipient or message, as if no application were listening. */
    ACCEPT,
    /** Answer 451 4.3.0: the client tries again later. */
    TEMPFAIL
  }

  public static final boolean DEFAULT_ENABLED = true;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  public static final OnFailure DEFAULT_ON_FAILURE = OnFailure.ACCEPT;

  private boolean enabled = DEFAULT_ENABLED;
  private Duration timeout = DEFAULT_TIMEOUT;
  private OnFailure onFailure = DEFAULT_ON_FAILURE;

  public PolicyOptions() {
  }

  public PolicyOptions(PolicyOptions other) {
    this.enabled = other.enabled;
    this.timeout = other.timeout;
    this.onFailure = other.onFailure;
  }

  /** Reads a {@code "policy"} object on its own: unknown keys and wrong types are refused. */
  public PolicyOptions(JsonObject json) {
    JsonReader reader = JsonReader.of(json, "policy");
    read(reader);
    reader.reportUnknown();
  }

  /** Reads the {@code "policy"} object of a whole configuration, whose reader reports unknown keys. */
  public PolicyOptions(JsonReader json) {
    read(json);
  }

  private void read(JsonReader json) {
    setEnabled(json.bool("enabled", DEFAULT_ENABLED));
    setTimeout(json.seconds("timeout", DEFAULT_TIMEOUT));
    setOnFailure(json.oneOf("onFailure", OnFailure.class, DEFAULT_ON_FAILURE));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("enabled", enabled)
        .put("timeout", Seconds.of(timeout))
        .put("onFailure", onFailure.name().toLowerCase(Locale.ROOT));
  }

  public boolean isEnabled() {
    return enabled;
  }

  public PolicyOptions setEnabled(boolean enabled) {
    this.enabled = enabled;
    return this;
  }

  public Duration getTimeout() {
    return timeout;
  }

  public PolicyOptions setTimeout(Duration timeout) {
    this.timeout = Seconds.positive("policy.timeout", timeout);
    return this;
  }

  public OnFailure getOnFailure() {
    return onFailure;
  }

  public PolicyOptions setOnFailure(OnFailure onFailure) {
    this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
    return this;
  }
}
