package io.postino.server;

import io.postino.config.JsonReader;
import io.postino.config.Seconds;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Options of the event-bus policy hooks ({@link ApplicationPolicy}): whether they are asked, how
 * long an answer may take, what an unanswered question means, and how long the server believes
 * that no consumer listens. Maps onto the {@code "policy"} object of {@code conf/postino.json}.
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
  public static final Duration DEFAULT_ABSENCE_RECHECK = Duration.ofSeconds(1);

  private boolean enabled = DEFAULT_ENABLED;
  private Duration timeout = DEFAULT_TIMEOUT;
  private OnFailure onFailure = DEFAULT_ON_FAILURE;
  private Duration absenceRecheck = DEFAULT_ABSENCE_RECHECK;

  public PolicyOptions() {
  }

  public PolicyOptions(PolicyOptions other) {
    this.enabled = other.enabled;
    this.timeout = other.timeout;
    this.onFailure = other.onFailure;
    this.absenceRecheck = other.absenceRecheck;
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
    setAbsenceRecheck(json.seconds("absenceRecheck", DEFAULT_ABSENCE_RECHECK));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("enabled", enabled)
        .put("timeout", Seconds.of(timeout))
        .put("onFailure", onFailure.name().toLowerCase(Locale.ROOT))
        .put("absenceRecheck", Seconds.of(absenceRecheck));
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

  public Duration getAbsenceRecheck() {
    return absenceRecheck;
  }

  /**
   * How long, once the event bus answered that no consumer listens on a hook's address, the
   * server decides alone without asking again; zero asks every time.
   */
  public PolicyOptions setAbsenceRecheck(Duration absenceRecheck) {
    this.absenceRecheck = Seconds.notNegative("policy.absenceRecheck", absenceRecheck);
    return this;
  }
}
