package io.postino.bus;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * How a delivery's session was protected: the TLS policy that applied and what was negotiated.
 *
 * <pre>{@code
 * {"policy": "dane", "protocol": "TLSv1.3", "cipher": "TLS_AES_256_GCM_SHA384", "verified": true}
 * }</pre>
 *
 * @param policy   {@code none}, {@code opportunistic}, {@code verify}, {@code mta-sts} or
 *                 {@code dane}; {@code requiretls} is not a policy but a demand of the message,
 *                 met by one of the authenticating ones: a session whose MAIL FROM carried
 *                 REQUIRETLS (RFC 8689) names it {@code requiretls+dane}, {@code requiretls+mta-sts}
 *                 or {@code requiretls+verify}
 * @param protocol the TLS version, or null when the session was plaintext
 * @param cipher   the cipher suite, or null when plaintext
 * @param verified whether the server's certificate was checked and passed (WebPKI or DANE)
 */
public record TlsSummary(String policy, String protocol, String cipher, boolean verified) {

  public TlsSummary {
    Objects.requireNonNull(policy, "policy");
  }

  /** A plaintext session under {@code policy}. */
  public static TlsSummary plaintext(String policy) {
    return new TlsSummary(policy, null, null, false);
  }

  /**
   * {@code dane:TLSv1.3:TLS_AES_256_GCM_SHA384:verified}, or {@code opportunistic:plaintext}:
   * the {@code tls=} field of a delivery line, one token for greps.
   */
  public String logForm() {
    return protocol == null ? policy + ":plaintext"
        : policy + ":" + protocol + ":" + cipher + ":" + (verified ? "verified" : "unverified");
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("policy", policy).put("verified", verified);
    if (protocol != null) {
      json.put("protocol", protocol).put("cipher", cipher);
    }
    return json;
  }

  public static TlsSummary fromJson(JsonObject json) {
    return json == null ? null : new TlsSummary(json.getString("policy"), json.getString("protocol"),
        json.getString("cipher"), json.getBoolean("verified", false));
  }
}
