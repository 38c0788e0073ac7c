package io.postino.dmarc;

import io.postino.config.JsonReader;
import io.postino.config.Seconds;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Locale;

/**
 * DMARC verification, the {@code "dmarc"} object of {@code conf/postino.json}: whether mail
 * received from clients neither authenticated nor trusted is checked against its author domain's
 * policy (DKIM verification is then on whatever {@code dkim.verify} says), what this server does
 * when a message fails a {@code p=reject} or {@code p=quarantine} policy
 * ({@code "actions": {"reject": "reject", "quarantine": "quarantine"}}, each one of {@code none},
 * {@code quarantine}, {@code reject}), the header field that marks a quarantined message, and how
 * long DNS answers are cached. Off by default in code; the shipped {@code conf/postino.json} turns
 * it on.
 */
public final class DmarcOptions {

  /** What this server does with a message whose policy asks for a disposition. */
  public enum Action {
    /** Only record the result. */
    NONE,
    /** Deliver it with the quarantine header field. */
    QUARANTINE,
    /** Refuse it with {@code 550 5.7.1} at the end of the content. */
    REJECT
  }

  public static final boolean DEFAULT_ENABLED = false;
  public static final Action DEFAULT_REJECT_ACTION = Action.REJECT;
  public static final Action DEFAULT_QUARANTINE_ACTION = Action.QUARANTINE;
  public static final String DEFAULT_QUARANTINE_HEADER = "X-Postino-Quarantine";
  public static final Duration DEFAULT_CACHE_TTL = Duration.ofMinutes(5);

  private boolean enabled = DEFAULT_ENABLED;
  private Action rejectAction = DEFAULT_REJECT_ACTION;
  private Action quarantineAction = DEFAULT_QUARANTINE_ACTION;
  private String quarantineHeader = DEFAULT_QUARANTINE_HEADER;
  private Duration cacheTtl = DEFAULT_CACHE_TTL;

  public DmarcOptions() {
  }

  public DmarcOptions(DmarcOptions other) {
    set(other);
  }

  /** Reads a {@code "dmarc"} object on its own: unknown keys and wrong types are refused. */
  public DmarcOptions(JsonObject json) {
    JsonReader reader = JsonReader.of(json, "dmarc");
    read(reader);
    reader.reportUnknown();
  }

  /** Reads the {@code "dmarc"} object of a whole configuration, whose reader reports unknown keys. */
  public DmarcOptions(JsonReader json) {
    read(json);
  }

  private void read(JsonReader json) {
    setEnabled(json.bool("enabled", DEFAULT_ENABLED));
    JsonReader actions = json.object("actions");
    setRejectAction(actions.oneOf("reject", Action.class, DEFAULT_REJECT_ACTION));
    setQuarantineAction(actions.oneOf("quarantine", Action.class, DEFAULT_QUARANTINE_ACTION));
    setQuarantineHeader(json.string("quarantineHeader", DEFAULT_QUARANTINE_HEADER));
    setCacheTtl(json.seconds("cacheTtl", DEFAULT_CACHE_TTL));
  }

  /** Takes every value of {@code other}. */
  public DmarcOptions set(DmarcOptions other) {
    enabled = other.enabled;
    rejectAction = other.rejectAction;
    quarantineAction = other.quarantineAction;
    quarantineHeader = other.quarantineHeader;
    cacheTtl = other.cacheTtl;
    return this;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("enabled", enabled)
        .put("actions", new JsonObject().put("reject", rejectAction.name().toLowerCase(Locale.ROOT))
            .put("quarantine", quarantineAction.name().toLowerCase(Locale.ROOT)))
        .put("quarantineHeader", quarantineHeader)
        .put("cacheTtl", Seconds.of(cacheTtl));
  }

  /** Whether DMARC is checked (and DKIM verified for it); false by default. */
  public boolean isEnabled() {
    return enabled;
  }

  public DmarcOptions setEnabled(boolean enabled) {
    this.enabled = enabled;
    return this;
  }

  /** What a failed {@code p=reject} does; {@code reject} by default. */
  public Action getRejectAction() {
    return rejectAction;
  }

  public DmarcOptions setRejectAction(Action action) {
    this.rejectAction = action;
    return this;
  }

  /** What a failed {@code p=quarantine} does; {@code quarantine} by default. */
  public Action getQuarantineAction() {
    return quarantineAction;
  }

  public DmarcOptions setQuarantineAction(Action action) {
    this.quarantineAction = action;
    return this;
  }

  /** The header field added to a quarantined message; {@code X-Postino-Quarantine} by default. */
  public String getQuarantineHeader() {
    return quarantineHeader;
  }

  public DmarcOptions setQuarantineHeader(String name) {
    if (!name.matches("[!-9;-~]+")) {
      throw new IllegalArgumentException("quarantineHeader: not a header field name: " + name);
    }
    this.quarantineHeader = name;
    return this;
  }

  /** How long DNS answers are kept; 300 seconds by default, zero: not cached. */
  public Duration getCacheTtl() {
    return cacheTtl;
  }

  public DmarcOptions setCacheTtl(Duration cacheTtl) {
    if (cacheTtl.isNegative()) {
      throw new IllegalArgumentException("cacheTtl must not be negative: " + cacheTtl);
    }
    this.cacheTtl = cacheTtl;
    return this;
  }
}
