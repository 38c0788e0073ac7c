package io.postino.dmarc;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A DMARC policy record (RFC 7489 section 6.3): {@code v=DMARC1} first, then {@code p}, {@code sp},
 * {@code adkim}, {@code aspf} and {@code pct} as this receiver uses them; the reporting tags are
 * read but not acted on (no reports are sent). A record whose {@code p} is missing or invalid
 * counts as {@code p=none} when it names a report address ({@code rua}), else is no record
 * (section 6.6.3). Pure.
 *
 * @param policy          {@code p}
 * @param subdomainPolicy {@code sp}, {@code p} when absent
 * @param strictDkim      {@code adkim=s}
 * @param strictSpf       {@code aspf=s}
 * @param percent         {@code pct}, 100 when absent
 */
record DmarcRecord(Policy policy, Policy subdomainPolicy, boolean strictDkim, boolean strictSpf, int percent) {

  enum Policy {
    NONE, QUARANTINE, REJECT;

    String keyword() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Policy of(String value) {
      if (value == null) {
        return null;
      }
      for (Policy p : values()) {
        if (p.keyword().equalsIgnoreCase(value)) {
          return p;
        }
      }
      return null;
    }
  }

  /** Whether a TXT record's text is meant as a DMARC record: starts with {@code v=DMARC1}. */
  static boolean isDmarc(String text) {
    String[] first = text.split(";", 2)[0].split("=", 2);
    return first.length == 2 && first[0].strip().equals("v") && first[1].strip().equals("DMARC1");
  }

  /** The record, or null when it does not count as one (see above). */
  static DmarcRecord parse(String text) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (String part : text.split(";")) {
      int eq = part.indexOf('=');
      if (part.isBlank()) {
        continue;
      }
      if (eq < 0) {
        return null;
      }
      tags.putIfAbsent(part.substring(0, eq).strip().toLowerCase(Locale.ROOT), part.substring(eq + 1).strip());
    }
    Policy p = Policy.of(tags.get("p"));
    if (p == null) {
      if (tags.get("rua") == null || tags.get("rua").isEmpty()) {
        return null;
      }
      p = Policy.NONE;
    }
    Policy sp = Policy.of(tags.get("sp"));
    int pct = 100;
    String pctText = tags.get("pct");
    if (pctText != null && pctText.matches("[0-9]{1,3}")) {
      pct = Math.min(100, Integer.parseInt(pctText));
    }
    return new DmarcRecord(p, sp == null ? p : sp, "s".equalsIgnoreCase(tags.get("adkim")),
        "s".equalsIgnoreCase(tags.get("aspf")), pct);
  }
}
