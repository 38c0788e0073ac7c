package io.postino.mtasts;

import io.postino.tlspolicy.StsPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Parses the policy served at {@code https://mta-sts.<domain>/.well-known/mta-sts.txt} (RFC 8461
 * section 3.2): lines of {@code key: value} separated by CRLF or LF, with {@code version: STSv1},
 * {@code mode} ({@code enforce}, {@code testing} or {@code none}), {@code max_age} (seconds, at most
 * {@value #MAX_AGE_LIMIT}) and one {@code mx} line per MX host pattern (at least one unless the mode
 * is {@code none}). Unknown keys are extensions and ignored; of a key other than {@code mx} given
 * twice, the first counts. Anything else makes the policy invalid: no new policy, and the caller
 * keeps what it had.
 */
final class PolicyText {

  /** One year: RFC 8461 section 3.2 caps {@code max_age} there. */
  static final long MAX_AGE_LIMIT = 31_557_600;

  private static final Pattern MAX_AGE = Pattern.compile("[0-9]{1,10}");
  /** A host name, or {@code *.} and a host name (section 3.2's {@code sts-policy-mx-value}). */
  private static final Pattern MX = Pattern.compile(
      "(\\*\\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.?");

  private PolicyText() {
  }

  /** Why a fetched policy was refused. */
  static final class InvalidPolicyException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidPolicyException(String message) {
      super(message, null, false, false);
    }
  }

  /** The policy {@code text} says, fetched for the TXT record with {@code id}. */
  static StsPolicy parse(String text, String id) throws InvalidPolicyException {
    String version = null;
    String mode = null;
    String maxAge = null;
    List<String> mx = new ArrayList<>();
    for (String line : text.split("\r?\n", -1)) {
      if (line.isEmpty()) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new InvalidPolicyException("not a key: value line: " + abbreviate(line));
      }
      String key = line.substring(0, colon);
      String value = line.substring(colon + 1).strip();
      switch (key) {
        case "version" -> version = version == null ? value : version;
        case "mode" -> mode = mode == null ? value : mode;
        case "max_age" -> maxAge = maxAge == null ? value : maxAge;
        case "mx" -> {
          if (!MX.matcher(value).matches()) {
            throw new InvalidPolicyException("not an MX host pattern: " + abbreviate(value));
          }
          mx.add(value.endsWith(".") ? value.substring(0, value.length() - 1) : value);
        }
        default -> {
          // an extension (section 3.2): ignored
        }
      }
    }
    if (!"STSv1".equals(version)) {
      throw new InvalidPolicyException("version is not STSv1: " + version);
    }
    StsPolicy.Mode m = switch (mode == null ? "" : mode) {
      case "enforce" -> StsPolicy.Mode.ENFORCE;
      case "testing" -> StsPolicy.Mode.TESTING;
      case "none" -> StsPolicy.Mode.NONE;
      default -> throw new InvalidPolicyException("mode is not enforce, testing or none: " + mode);
    };
    if (maxAge == null || !MAX_AGE.matcher(maxAge).matches() || Long.parseLong(maxAge) > MAX_AGE_LIMIT) {
      throw new InvalidPolicyException("max_age is not a number of seconds up to " + MAX_AGE_LIMIT + ": " + maxAge);
    }
    if (mx.isEmpty() && m != StsPolicy.Mode.NONE) {
      throw new InvalidPolicyException("no mx line in a policy in mode " + m.jsonName());
    }
    return new StsPolicy(m, mx.stream().map(p -> p.toLowerCase(Locale.ROOT)).toList(), Long.parseLong(maxAge), id,
        text);
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }
}
