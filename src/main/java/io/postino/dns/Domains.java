package io.postino.dns;

import java.net.IDN;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Domain names as the resolver keys them: ASCII (IDNA), lower case, without the trailing dot,
 * and syntactically valid, so that {@code Example.ORG.} and {@code example.org} share one cache
 * entry and one lookup.
 */
final class Domains {

  private static final Pattern LABEL = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?");

  private Domains() {
  }

  /** The normalized domain, or null when it is not a valid domain name. */
  static String normalize(String domain) {
    if (domain == null) {
      return null;
    }
    String d = domain.strip();
    if (d.endsWith(".")) {
      d = d.substring(0, d.length() - 1);
    }
    if (d.isEmpty()) {
      return null;
    }
    try {
      d = IDN.toASCII(d, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (d.length() > 253) {
      return null;
    }
    for (String label : d.split("\\.", -1)) {
      if (!LABEL.matcher(label).matches()) {
        return null;
      }
    }
    return d;
  }
}
