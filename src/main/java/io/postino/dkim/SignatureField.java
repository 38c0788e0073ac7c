package io.postino.dkim;

import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code DKIM-Signature:} field of a received message, read for verification (RFC 6376 section
 * 3.5): what it signs and with what, and its own text with the {@code b=} value taken out, as it
 * is hashed. Pure.
 *
 * @param field     the whole field as it appears in the message, without its final CRLF
 * @param length    {@code l=}, or -1
 * @param expiration {@code x=}, or -1
 */
record SignatureField(String field, Algorithm algorithm, String domain, String selector, Canonicalization header,
    Canonicalization body, List<String> names, byte[] bodyHash, byte[] signature, long length, long expiration) {

  /**
   * Reads a signature field.
   *
   * @throws IllegalArgumentException for a field that cannot be verified (a permanent error):
   *     a missing or malformed required tag, an unknown version or algorithm, an {@code h=} without
   *     From
   */
  static SignatureField parse(String field) {
    Map<String, String> tags = tags(field, List.of("v", "a", "b", "bh", "d", "h", "s"));
    if (!tags.get("v").equals("1")) {
      throw new IllegalArgumentException("unknown version v=" + tags.get("v"));
    }
    return of(field, tags);
  }

  /**
   * Reads an {@code ARC-Message-Signature:} field (RFC 8617 section 4.1.2): a DKIM signature with
   * an instance {@code i=} in place of {@code v=}, which must not sign {@code ARC-Seal}.
   *
   * @throws IllegalArgumentException as {@link #parse}
   */
  static SignatureField parseArc(String field) {
    SignatureField ams = of(field, tags(field, List.of("i", "a", "b", "bh", "d", "h", "s")));
    if (ams.names().stream().anyMatch(n -> n.equalsIgnoreCase("ARC-Seal"))) {
      throw new IllegalArgumentException("h= signs ARC-Seal");
    }
    return ams;
  }

  /** The field's tags, each of {@code required} present and not empty. */
  static Map<String, String> tags(String field, List<String> required) {
    Map<String, String> tags = KeyRecord.tags(field.substring(field.indexOf(':') + 1));
    for (String tag : required) {
      if (!tags.containsKey(tag) || tags.get(tag).isEmpty()) {
        throw new IllegalArgumentException("no " + tag + "= tag");
      }
    }
    return tags;
  }

  private static SignatureField of(String field, Map<String, String> tags) {
    Algorithm algorithm = algorithm(tags.get("a"));
    String c = tags.getOrDefault("c", "simple/simple");
    int slash = c.indexOf('/');
    Canonicalization header = Canonicalization.of(slash < 0 ? c : c.substring(0, slash));
    Canonicalization body = slash < 0 ? Canonicalization.SIMPLE : Canonicalization.of(c.substring(slash + 1));
    List<String> names = Arrays.stream(tags.get("h").split(":")).map(String::strip).toList();
    if (names.stream().noneMatch(n -> n.equalsIgnoreCase("from"))) {
      throw new IllegalArgumentException("h= does not sign From");
    }
    return new SignatureField(field, algorithm, tags.get("d").toLowerCase(Locale.ROOT), tags.get("s"), header, body,
        names, base64(tags.get("bh"), "bh"), base64(tags.get("b"), "b"), number(tags.get("l"), "l"),
        number(tags.get("x"), "x"));
  }

  /** The field with the value of {@code b=} (and the white space around it) removed: what is hashed. */
  String withoutB() {
    return withoutB(field);
  }

  /** A signature-like field (DKIM-Signature, ARC-Message-Signature, ARC-Seal) with its {@code b=} value taken out. */
  static String withoutB(String field) {
    int colon = field.indexOf(':');
    StringBuilder out = new StringBuilder(field.length()).append(field, 0, colon + 1);
    int start = colon + 1;
    while (start <= field.length()) {
      int end = field.indexOf(';', start);
      String spec = field.substring(start, end < 0 ? field.length() : end);
      int eq = spec.indexOf('=');
      boolean isB = eq >= 0 && spec.substring(0, eq).strip().equals("b");
      out.append(isB ? spec.substring(0, eq + 1) : spec);
      if (end < 0) {
        break;
      }
      out.append(';');
      start = end + 1;
    }
    return out.toString();
  }

  /** The value for {@code header.b=} in Authentication-Results: the signature's first 8 characters. */
  String shortSignature() {
    return Base64.getEncoder().encodeToString(signature).substring(0, 8);
  }

  /** The algorithm of an {@code a=} value. */
  static Algorithm algorithm(String a) {
    return Arrays.stream(Algorithm.values()).filter(x -> x.tag().equalsIgnoreCase(a)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unsupported algorithm a=" + a));
  }

  static byte[] base64(String value, String tag) {
    try {
      return Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(tag + "= is not base64");
    }
  }

  static long number(String value, String tag) {
    if (value == null) {
      return -1;
    }
    if (!value.matches("[0-9]{1,18}")) {
      throw new IllegalArgumentException("bad " + tag + "=" + value);
    }
    return Long.parseLong(value);
  }
}
