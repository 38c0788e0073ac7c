package io.postino.dnsbl;

import io.postino.config.JsonReader;
import io.postino.config.Seconds;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The DNS block and allow lists asked about each client of the SMTP listener, the {@code
 * "smtp": {"dnsbl": ...}} object; modelled on Postfix's postscreen ({@code postscreen_dnsbl_sites},
 * {@code postscreen_dnsbl_threshold}, {@code postscreen_dnsbl_allowlist_threshold}). Off by
 * default: no sites, nothing asked.
 */
public final class DnsblOptions {

  /** postscreen_dnsbl_threshold's default: one listing of weight 1 blocks. */
  public static final int DEFAULT_THRESHOLD = 1;
  /** postscreen_dnsbl_allowlist_threshold's default: 0, no allow-listing by score. */
  public static final int DEFAULT_ALLOW_THRESHOLD = 0;
  /** Lists answer in milliseconds from a nearby resolver; a lost one should not cost a client more. */
  public static final Duration DEFAULT_MAX_GREETING_WAIT = Duration.ofSeconds(2);
  /** Vert.x gives no TTLs for A records: between postscreen's 60 s minimum and 1 h maximum. */
  public static final Duration DEFAULT_CACHE_TTL = Duration.ofMinutes(5);

  private List<DnsblSite> sites = List.of();
  private int threshold = DEFAULT_THRESHOLD;
  private int allowThreshold = DEFAULT_ALLOW_THRESHOLD;
  private Duration maxGreetingWait = DEFAULT_MAX_GREETING_WAIT;
  private Duration cacheTtl = DEFAULT_CACHE_TTL;

  public DnsblOptions() {
  }

  /** Reads a {@code "dnsbl"} object; unknown keys are reported by the reader's owner. */
  public DnsblOptions(JsonReader json) {
    Object raw = json.raw("sites");
    List<DnsblSite> read = new ArrayList<>();
    if (raw != null && !(raw instanceof JsonArray)) {
      throw new IllegalArgumentException(json.path("sites") + ": expected an array of {\"zone\", \"weight\", \"codes\"}");
    }
    JsonArray array = raw == null ? new JsonArray() : (JsonArray) raw;
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof JsonObject s)) {
        throw new IllegalArgumentException(json.path("sites") + "[" + i + "]: expected an object");
      }
      JsonReader site = JsonReader.of(s, json.path("sites") + "[" + i + "]");
      try {
        read.add(new DnsblSite(site.requiredString("zone"), site.integer("weight", 1), site.stringList("codes", List.of())));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(site.path("zone") + ": " + e.getMessage(), e);
      }
      site.reportUnknown();
    }
    setSites(read);
    setThreshold(json.integer("threshold", DEFAULT_THRESHOLD));
    setAllowThreshold(json.integer("allowThreshold", DEFAULT_ALLOW_THRESHOLD));
    setMaxGreetingWait(json.seconds("maxGreetingWait", DEFAULT_MAX_GREETING_WAIT));
    setCacheTtl(json.seconds("cacheTtl", DEFAULT_CACHE_TTL));
  }

  public JsonObject toJson() {
    JsonArray array = new JsonArray();
    sites.forEach(s -> array.add(new JsonObject().put("zone", s.zone()).put("weight", s.weight())
        .put("codes", new JsonArray(new ArrayList<>(s.codes())))));
    return new JsonObject()
        .put("sites", array)
        .put("threshold", threshold)
        .put("allowThreshold", allowThreshold)
        .put("maxGreetingWait", Seconds.of(maxGreetingWait))
        .put("cacheTtl", Seconds.of(cacheTtl));
  }

  /** Whether any list is asked at all. */
  public boolean isEnabled() {
    return !sites.isEmpty();
  }

  /** The lists, in the order written; a zone may appear more than once, with other codes and weights. */
  public List<DnsblSite> getSites() {
    return sites;
  }

  public DnsblOptions setSites(List<DnsblSite> sites) {
    this.sites = List.copyOf(sites);
    return this;
  }

  /** A client whose score reaches this is refused (550 5.7.1 at RCPT). */
  public int getThreshold() {
    return threshold;
  }

  public DnsblOptions setThreshold(int threshold) {
    if (threshold < 1) {
      throw new IllegalArgumentException("threshold must be at least 1 (a client on no list scores 0): " + threshold);
    }
    this.threshold = threshold;
    return this;
  }

  /** Negative: a client whose score is at or below it is allow-listed; 0 turns allow-listing off. */
  public int getAllowThreshold() {
    return allowThreshold;
  }

  public DnsblOptions setAllowThreshold(int allowThreshold) {
    if (allowThreshold > 0) {
      throw new IllegalArgumentException("allowThreshold must be negative, or 0 for none: " + allowThreshold);
    }
    this.allowThreshold = allowThreshold;
    return this;
  }

  /** The longest the greeting waits for the lists' answers. */
  public Duration getMaxGreetingWait() {
    return maxGreetingWait;
  }

  public DnsblOptions setMaxGreetingWait(Duration maxGreetingWait) {
    this.maxGreetingWait = Seconds.notNegative("maxGreetingWait", maxGreetingWait);
    return this;
  }

  /** How long an answer (listed or not) is kept; failures are not kept. */
  public Duration getCacheTtl() {
    return cacheTtl;
  }

  public DnsblOptions setCacheTtl(Duration cacheTtl) {
    this.cacheTtl = Seconds.notNegative("cacheTtl", cacheTtl);
    return this;
  }
}
