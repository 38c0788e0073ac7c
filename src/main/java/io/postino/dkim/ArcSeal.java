package io.postino.dkim;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An {@code ARC-Seal:} field read for validation (RFC 8617 section 4.1.3): who sealed, with what,
 * and the chain validation status {@code cv=} the sealer found. Pure.
 *
 * @param field the whole field as it appears in the message, without its final CRLF
 * @param cv    {@code none}, {@code pass} or {@code fail}, lower-case
 */
record ArcSeal(String field, Algorithm algorithm, String domain, String selector, String cv, byte[] signature) {

  /**
   * Reads a seal.
   *
   * @throws IllegalArgumentException for a missing or malformed required tag, an unknown algorithm
   *     or {@code cv=}, or an {@code h=} tag (a seal signs the ARC sets, never chosen fields)
   */
  static ArcSeal parse(String field) {
    Map<String, String> tags = SignatureField.tags(field, List.of("i", "a", "b", "cv", "d", "s"));
    if (tags.containsKey("h")) {
      throw new IllegalArgumentException("h= in an ARC-Seal");
    }
    String cv = tags.get("cv").toLowerCase(Locale.ROOT);
    if (!List.of("none", "pass", "fail").contains(cv)) {
      throw new IllegalArgumentException("unknown cv=" + cv);
    }
    return new ArcSeal(field, SignatureField.algorithm(tags.get("a")), tags.get("d").toLowerCase(Locale.ROOT),
        tags.get("s"), cv, SignatureField.base64(tags.get("b"), "b"));
  }
}
