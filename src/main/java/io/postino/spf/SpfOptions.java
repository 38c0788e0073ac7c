package io.postino.spf;

import io.postino.config.JsonReader;
import io.postino.config.Seconds;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * SPF verification, the {@code "spf"} object of {@code conf/postino.json}: whether mail from
 * clients neither authenticated nor in a trusted network is checked at MAIL FROM, whether the
 * HELO identity is checked too, what each result does ({@code "actions": {"fail": "reject"}}),
 * and how long DNS answers are cached. Off by default in code (an embedded Postino does no
 * lookups it was not asked for); the shipped {@code conf/postino.json} turns it on.
 */
public final class SpfOptions {

  /** What a result does to the transaction. */
  public enum Action {
    /** Record the result in Authentication-Results and go on. */
    ACCEPT,
    /** Refuse MAIL FROM with 550. */
    REJECT,
    /** Refuse MAIL FROM with 451: try again later. */
    DEFER
  }

  public static final boolean DEFAULT_ENABLED = false;
  public static final boolean DEFAULT_HELO = true;
  public static final Duration DEFAULT_CACHE_TTL = Duration.ofMinutes(5);

  private boolean enabled = DEFAULT_ENABLED;
  private boolean helo = DEFAULT_HELO;
  private final Map<SpfResult, Action> actions = new EnumMap<>(SpfResult.class);
  private Duration cacheTtl = DEFAULT_CACHE_TTL;

  public SpfOptions() {
    for (SpfResult r : SpfResult.values()) {
      actions.put(r, defaultAction(r));
    }
  }

  public SpfOptions(SpfOptions other) {
    this(other.toJson());
  }

  /** Reads an {@code "spf"} object on its own: unknown keys and wrong types are refused. */
  public SpfOptions(JsonObject json) {
    this();
    JsonReader reader = JsonReader.of(json, "spf");
    read(reader);
    reader.reportUnknown();
  }

  /** Reads the {@code "spf"} object of a whole configuration, whose reader reports unknown keys. */
  public SpfOptions(JsonReader json) {
    this();
    read(json);
  }

  /** Postfix's policyd-spf does the same: a {@code fail} is refused, every other result recorded. */
  public static Action defaultAction(SpfResult result) {
    return result == SpfResult.FAIL ? Action.REJECT : Action.ACCEPT;
  }

  private void read(JsonReader json) {
    setEnabled(json.bool("enabled", DEFAULT_ENABLED));
    setHelo(json.bool("helo", DEFAULT_HELO));
    setCacheTtl(json.seconds("cacheTtl", DEFAULT_CACHE_TTL));
    JsonReader byResult = json.object("actions");
    for (SpfResult r : SpfResult.values()) {
      setAction(r, byResult.oneOf(r.keyword(), Action.class, defaultAction(r)));
    }
  }

  /** Takes every value of {@code other}. */
  public SpfOptions set(SpfOptions other) {
    enabled = other.enabled;
    helo = other.helo;
    actions.putAll(other.actions);
    cacheTtl = other.cacheTtl;
    return this;
  }

  public JsonObject toJson() {
    JsonObject byResult = new JsonObject();
    actions.forEach((r, a) -> byResult.put(r.keyword(), a.name().toLowerCase(Locale.ROOT)));
    return new JsonObject()
        .put("enabled", enabled)
        .put("helo", helo)
        .put("actions", byResult)
        .put("cacheTtl", Seconds.of(cacheTtl));
  }

  /** Whether SPF is checked; false by default. */
  public boolean isEnabled() {
    return enabled;
  }

  public SpfOptions setEnabled(boolean enabled) {
    this.enabled = enabled;
    return this;
  }

  /** Whether the HELO identity is checked as well as MAIL FROM; true by default. */
  public boolean isHelo() {
    return helo;
  }

  public SpfOptions setHelo(boolean helo) {
    this.helo = helo;
    return this;
  }

  /** What a result does: reject on {@code fail}, accept (record) otherwise, by default. */
  public Action getAction(SpfResult result) {
    return actions.get(result);
  }

  public SpfOptions setAction(SpfResult result, Action action) {
    actions.put(result, action);
    return this;
  }

  /** How long DNS answers (TXT, A, AAAA, MX, PTR) are kept; 300 seconds by default, zero: not cached. */
  public Duration getCacheTtl() {
    return cacheTtl;
  }

  public SpfOptions setCacheTtl(Duration cacheTtl) {
    if (cacheTtl.isNegative()) {
      throw new IllegalArgumentException("cacheTtl must not be negative: " + cacheTtl);
    }
    this.cacheTtl = cacheTtl;
    return this;
  }
}
