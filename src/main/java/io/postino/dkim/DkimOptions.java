package io.postino.dkim;

import io.postino.config.JsonReader;
import io.postino.config.Seconds;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * DKIM signing, the {@code "dkim"} object of {@code conf/postino.json}: the keys of each signing
 * domain ({@code "domains": {"example.org": [{"selector": "s2026r", "key": "conf/dkim/s2026r.pem"}]}},
 * several keys for dual RSA and Ed25519 signatures), the canonicalisation, whether mail from
 * trusted networks is signed, the signatures' lifetime ({@code x=}) and how often the key files are
 * checked for changes. Durations are seconds. Without domains nothing is signed.
 */
public final class DkimOptions {

  public static final String DEFAULT_CANONICALIZATION = "relaxed/relaxed";
  public static final boolean DEFAULT_SIGN_TRUSTED_NETWORKS = false;
  /** Zero: signatures carry no {@code x=} and do not expire. */
  public static final Duration DEFAULT_EXPIRATION = Duration.ZERO;
  public static final Duration DEFAULT_WATCH_INTERVAL = Duration.ofSeconds(5);
  public static final boolean DEFAULT_VERIFY = false;
  public static final int DEFAULT_MAX_SIGNATURES = 5;
  public static final Duration DEFAULT_KEY_CACHE_TTL = Duration.ofHours(1);

  /** One key of a domain: its selector and its PEM file. */
  public record KeyFile(String selector, String key) {
    public KeyFile {
      Objects.requireNonNull(selector, "selector");
      Objects.requireNonNull(key, "key");
      if (!selector.matches("[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*")) {
        throw new IllegalArgumentException("not a DKIM selector: " + selector);
      }
    }
  }

  private Map<String, List<KeyFile>> domains = Map.of();
  private Canonicalization headerCanonicalization = Canonicalization.RELAXED;
  private Canonicalization bodyCanonicalization = Canonicalization.RELAXED;
  private boolean signTrustedNetworks = DEFAULT_SIGN_TRUSTED_NETWORKS;
  private Duration expiration = DEFAULT_EXPIRATION;
  private Duration watchInterval = DEFAULT_WATCH_INTERVAL;
  private boolean verify = DEFAULT_VERIFY;
  private int maxSignatures = DEFAULT_MAX_SIGNATURES;
  private Duration keyCacheTtl = DEFAULT_KEY_CACHE_TTL;

  public DkimOptions() {
  }

  public DkimOptions(DkimOptions other) {
    this(other.toJson());
  }

  /** Reads a {@code "dkim"} object on its own: unknown keys and wrong types are refused. */
  public DkimOptions(JsonObject json) {
    JsonReader reader = JsonReader.of(json, "dkim");
    read(reader);
    reader.reportUnknown();
  }

  /** Reads the {@code "dkim"} object of a whole configuration, whose reader reports unknown keys. */
  public DkimOptions(JsonReader json) {
    read(json);
  }

  private void read(JsonReader json) {
    JsonReader byDomain = json.object("domains");
    Map<String, List<KeyFile>> read = new LinkedHashMap<>();
    for (String domain : byDomain.fieldNames()) {
      if (!(byDomain.raw(domain) instanceof JsonArray keys)) {
        throw new IllegalArgumentException(byDomain.path(domain) + ": expected an array of {\"selector\", \"key\"} objects");
      }
      List<KeyFile> files = new ArrayList<>();
      for (int i = 0; i < keys.size(); i++) {
        if (!(keys.getValue(i) instanceof JsonObject k)) {
          throw new IllegalArgumentException(byDomain.path(domain) + "[" + i + "]: expected an object");
        }
        JsonReader key = JsonReader.of(k, byDomain.path(domain) + "[" + i + "]");
        files.add(new KeyFile(key.requiredString("selector"), key.requiredString("key")));
        key.reportUnknown();
      }
      read.put(domain, files);
    }
    setDomains(read);
    setCanonicalization(json.string("canonicalization", DEFAULT_CANONICALIZATION));
    setSignTrustedNetworks(json.bool("signTrustedNetworks", DEFAULT_SIGN_TRUSTED_NETWORKS));
    setExpiration(json.seconds("expiration", DEFAULT_EXPIRATION));
    setWatchInterval(json.seconds("watchInterval", DEFAULT_WATCH_INTERVAL));
    setVerify(json.bool("verify", DEFAULT_VERIFY));
    setMaxSignatures(json.integer("maxSignatures", DEFAULT_MAX_SIGNATURES));
    setKeyCacheTtl(json.seconds("keyCacheTtl", DEFAULT_KEY_CACHE_TTL));
  }

  public JsonObject toJson() {
    JsonObject byDomain = new JsonObject();
    domains.forEach((domain, keys) -> byDomain.put(domain, new JsonArray(keys.stream()
        .map(k -> new JsonObject().put("selector", k.selector()).put("key", k.key())).toList())));
    return new JsonObject()
        .put("domains", byDomain)
        .put("canonicalization", getCanonicalization())
        .put("signTrustedNetworks", signTrustedNetworks)
        .put("expiration", Seconds.of(expiration))
        .put("watchInterval", Seconds.of(watchInterval))
        .put("verify", verify)
        .put("maxSignatures", maxSignatures)
        .put("keyCacheTtl", Seconds.of(keyCacheTtl));
  }

  /** The signing domains (lower case) and their keys; empty (the default): nothing is signed. */
  public Map<String, List<KeyFile>> getDomains() {
    return domains;
  }

  public DkimOptions setDomains(Map<String, List<KeyFile>> domains) {
    Map<String, List<KeyFile>> copy = new LinkedHashMap<>();
    domains.forEach((domain, keys) -> {
      if (keys.isEmpty()) {
        throw new IllegalArgumentException("domains." + domain + ": no keys");
      }
      copy.put(domain.toLowerCase(Locale.ROOT), List.copyOf(keys));
    });
    this.domains = Map.copyOf(copy);
    return this;
  }

  /** The {@code c=} value: {@code relaxed/relaxed} by default; {@code simple} means simple/simple. */
  public String getCanonicalization() {
    return headerCanonicalization.tagName() + "/" + bodyCanonicalization.tagName();
  }

  public DkimOptions setCanonicalization(String c) {
    int slash = c.indexOf('/');
    headerCanonicalization = Canonicalization.of(slash < 0 ? c : c.substring(0, slash));
    bodyCanonicalization = slash < 0 ? Canonicalization.SIMPLE : Canonicalization.of(c.substring(slash + 1));
    return this;
  }

  public Canonicalization getHeaderCanonicalization() {
    return headerCanonicalization;
  }

  public Canonicalization getBodyCanonicalization() {
    return bodyCanonicalization;
  }

  /** Whether mail relayed for trusted networks (not only authenticated) is signed; false by default. */
  public boolean isSignTrustedNetworks() {
    return signTrustedNetworks;
  }

  public DkimOptions setSignTrustedNetworks(boolean signTrustedNetworks) {
    this.signTrustedNetworks = signTrustedNetworks;
    return this;
  }

  /** How long a signature is valid ({@code x=}); zero (the default): no {@code x=}. */
  public Duration getExpiration() {
    return expiration;
  }

  public DkimOptions setExpiration(Duration expiration) {
    if (expiration.isNegative()) {
      throw new IllegalArgumentException("expiration must not be negative: " + expiration);
    }
    this.expiration = expiration;
    return this;
  }

  /** How often the key files are checked for changes; 5 seconds by default. */
  public Duration getWatchInterval() {
    return watchInterval;
  }

  public DkimOptions setWatchInterval(Duration watchInterval) {
    if (watchInterval.isZero() || watchInterval.isNegative()) {
      throw new IllegalArgumentException("watchInterval must be positive: " + watchInterval);
    }
    this.watchInterval = watchInterval;
    return this;
  }

  /** Whether mail received over SMTP (not signed here) is verified; false by default. */
  public boolean isVerify() {
    return verify;
  }

  public DkimOptions setVerify(boolean verify) {
    this.verify = verify;
    return this;
  }

  /** How many signatures of one message are checked, the first ones in the header; 5 by default. */
  public int getMaxSignatures() {
    return maxSignatures;
  }

  public DkimOptions setMaxSignatures(int maxSignatures) {
    if (maxSignatures < 1) {
      throw new IllegalArgumentException("maxSignatures must be positive: " + maxSignatures);
    }
    this.maxSignatures = maxSignatures;
    return this;
  }

  /** How long a fetched key record (or its absence) is kept; an hour by default. */
  public Duration getKeyCacheTtl() {
    return keyCacheTtl;
  }

  public DkimOptions setKeyCacheTtl(Duration keyCacheTtl) {
    if (keyCacheTtl.isNegative()) {
      throw new IllegalArgumentException("keyCacheTtl must not be negative: " + keyCacheTtl);
    }
    this.keyCacheTtl = keyCacheTtl;
    return this;
  }
}
