package io.postino.tlspolicy;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A domain's MTA-STS policy (RFC 8461 section 3.2).
 *
 * @param mode   enforce, testing or none
 * @param mx     the MX host patterns: a name, or {@code *.} and a name for any one label in front
 * @param maxAge how long the policy may be cached, in seconds
 * @param id     the {@code id} of the {@code _mta-sts} TXT record it was fetched for
 * @param text   the policy as fetched, for TLS reports ({@code policy-string})
 */
public record StsPolicy(Mode mode, List<String> mx, long maxAge, String id, String text) {

  public enum Mode {
    ENFORCE, TESTING, NONE;

    public String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public StsPolicy {
    Objects.requireNonNull(mode, "mode");
    mx = mx.stream().map(p -> p.toLowerCase(Locale.ROOT)).toList();
  }

  /**
   * Whether the MX host {@code host} is one the policy names (RFC 8461 section 4.1): equal, or for
   * a pattern {@code *.example.com} one label in front of {@code example.com}.
   */
  public boolean matches(String host) {
    return matches(mx, host);
  }

  /**
   * Whether {@code host} is one of {@code patterns} (lower case): equal, or for {@code *.example.com}
   * one label in front of {@code example.com}. The same rule serves a certificate's DNS names
   * (RFC 8461 section 4.2, RFC 6125 section 6.4.3).
   */
  public static boolean matches(List<String> patterns, String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    for (String pattern : patterns) {
      if (pattern.startsWith("*.")) {
        String suffix = pattern.substring(1);
        int dot = h.indexOf('.');
        if (dot > 0 && h.substring(dot).equals(suffix)) {
          return true;
        }
      } else if (pattern.equals(h)) {
        return true;
      }
    }
    return false;
  }

}
