package io.postino.authres;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One result of a sender authentication method for one message, as RFC 8601 writes it in
 * {@code Authentication-Results:}: {@code dkim=pass (reason) header.d=example.org header.s=s1}.
 * Other checks read it too (DMARC reads the DKIM and SPF results' domains).
 *
 * @param method     the method: {@code spf}, {@code dkim}, {@code dmarc}, {@code arc}, {@code iprev}...
 * @param result     its result keyword: {@code pass}, {@code fail}, {@code none}, {@code temperror}...
 * @param reason     a short comment for people, or null
 * @param properties {@code ptype.property} to value (e.g. {@code header.d}), in the order written
 */
public record AuthResult(String method, String result, String reason, Map<String, String> properties) {

  public AuthResult {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(result, "result");
    properties = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(properties));
  }

  public static AuthResult of(String method, String result, String reason) {
    return new AuthResult(method, result, reason, Map.of());
  }

  /** This result with one more property. */
  public AuthResult with(String property, String value) {
    Map<String, String> more = new LinkedHashMap<>(properties);
    more.put(property, value);
    return new AuthResult(method, result, reason, more);
  }

  /** A property's value, or null. */
  public String property(String name) {
    return properties.get(name);
  }

  public boolean is(String method, String result) {
    return this.method.equals(method) && this.result.equals(result);
  }

  /** As written in the header: {@code method=result (reason) ptype.property=value ...}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(64).append(method).append('=').append(result);
    if (reason != null) {
      sb.append(" (").append(reason.replace('(', '[').replace(')', ']')).append(')');
    }
    properties.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
    return sb.toString();
  }
}
