package io.postino.spf;

import java.util.Locale;

/** The results of an SPF check (RFC 7208 section 2.6), as Authentication-Results writes them. */
public enum SpfResult {
  NONE, NEUTRAL, PASS, FAIL, SOFTFAIL, TEMPERROR, PERMERROR;

  /** {@code pass}, {@code softfail}...: the keyword of RFC 8601 and of the configuration. */
  public String keyword() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The result a directive's qualifier gives when its mechanism matches (section 4.6.2). */
  static SpfResult ofQualifier(char qualifier) {
    return switch (qualifier) {
      case '-' -> FAIL;
      case '~' -> SOFTFAIL;
      case '?' -> NEUTRAL;
      default -> PASS;
    };
  }
}
