package io.postino.mtasts;

import io.postino.tlspolicy.StsPolicy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A policy in the cache, with when it was fetched: it may be used until {@code max_age} seconds
 * later (RFC 8461 section 5.1).
 *
 * <pre>{@code
 * {"domain": "example.com", "id": "20240101", "mode": "enforce", "mx": ["mx1.example.com"],
 *  "maxAge": 604800, "text": "version: STSv1\n...", "fetched": 1733400000000}
 * }</pre>
 */
record CachedPolicy(String domain, StsPolicy policy, long fetchedMillis) {

  long expiresMillis() {
    return fetchedMillis + policy.maxAge() * 1000;
  }

  boolean expired(long nowMillis) {
    return nowMillis >= expiresMillis();
  }

  JsonObject toJson() {
    return new JsonObject().put("domain", domain).put("id", policy.id()).put("mode", policy.mode().jsonName())
        .put("mx", new JsonArray(policy.mx())).put("maxAge", policy.maxAge()).put("text", policy.text())
        .put("fetched", fetchedMillis);
  }

  /** Throws on a file that is not one of ours (then ignored). */
  static CachedPolicy fromJson(JsonObject json) {
    StsPolicy.Mode mode = StsPolicy.Mode.valueOf(json.getString("mode").toUpperCase(java.util.Locale.ROOT));
    StsPolicy policy = new StsPolicy(mode, json.getJsonArray("mx").stream().map(String::valueOf).toList(),
        json.getLong("maxAge"), json.getString("id"), json.getString("text"));
    return new CachedPolicy(json.getString("domain"), policy, json.getLong("fetched"));
  }
}
