package io.postino.dkim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ARC sets of a message (RFC 8617 section 4): per instance {@code i=} one
 * {@code ARC-Authentication-Results:}, one {@code ARC-Message-Signature:} and one
 * {@code ARC-Seal:}, read from its header fields, or why they do not form a chain (section 5.2
 * steps 2 and 4: a missing or duplicated field, instances not 1 to N, more than
 * {@value #MAX_SETS} sets). Also what an {@code ARC-Seal} signs ({@link #sealedData}), for
 * validation and for sealing alike. Pure.
 *
 * @param sets    the sets in instance order (the first is {@code i=1}); empty without ARC fields
 * @param failure why the fields do not form a chain, or null
 */
record ArcChain(List<Set> sets, String failure) {

  /** RFC 8617 section 4.2.1: at most 50 sets. */
  static final int MAX_SETS = 50;

  static final String RESULTS = "ARC-Authentication-Results";
  static final String SIGNATURE = "ARC-Message-Signature";
  static final String SEAL = "ARC-Seal";

  /** The {@code i=} that starts an ARC-Authentication-Results value. */
  private static final Pattern RESULTS_INSTANCE = Pattern.compile("\\s*i\\s*=\\s*([0-9]{1,9})\\s*;.*", Pattern.DOTALL);

  /** One ARC set: its three fields as they appear in the message, without their final CRLF. */
  record Set(int instance, String results, String signature, String seal) {
  }

  /** The ARC sets of these header fields (in message order, each without its final CRLF). */
  static ArcChain of(List<String> fields) {
    String[][] byInstance = new String[MAX_SETS + 1][];
    int highest = 0;
    boolean any = false;
    for (String f : fields) {
      String name = f.substring(0, f.indexOf(':')).strip();
      int kind = name.equalsIgnoreCase(RESULTS) ? 0 : name.equalsIgnoreCase(SIGNATURE) ? 1
          : name.equalsIgnoreCase(SEAL) ? 2 : -1;
      if (kind < 0) {
        continue;
      }
      any = true;
      int i = instance(f, kind == 0);
      if (i < 1 || i > MAX_SETS) {
        return failed(i < 1 ? "no valid i= in " + name : "more than " + MAX_SETS + " ARC sets");
      }
      byInstance[i] = byInstance[i] == null ? new String[3] : byInstance[i];
      if (byInstance[i][kind] != null) {
        return failed("two " + name + " fields with i=" + i);
      }
      byInstance[i][kind] = f;
      highest = Math.max(highest, i);
    }
    if (!any) {
      return new ArcChain(List.of(), null);
    }
    List<Set> sets = new ArrayList<>(highest);
    for (int i = 1; i <= highest; i++) {
      String[] set = byInstance[i];
      if (set == null || set[0] == null || set[1] == null || set[2] == null) {
        return failed("ARC set i=" + i + " is incomplete");
      }
      sets.add(new Set(i, set[0], set[1], set[2]));
    }
    return new ArcChain(List.copyOf(sets), null);
  }

  boolean isEmpty() {
    return sets.isEmpty() && failure == null;
  }

  /** The last set: the one with the highest instance. */
  Set last() {
    return sets.get(sets.size() - 1);
  }

  /**
   * What the seal of the last of {@code sets} signs (RFC 8617 section 5.1.1): every set's fields
   * from {@code i=1} up, each set in the order AAR, AMS, AS, canonicalised {@code relaxed}; the last
   * seal with an empty {@code b=} ({@code lastSealWithoutB}) and without its final CRLF.
   */
  static byte[] sealedData(List<Set> sets, String lastSealWithoutB) {
    StringBuilder data = new StringBuilder(4096);
    for (Set s : sets) {
      data.append(Canonicalization.RELAXED.header(s.results())).append(Canonicalization.RELAXED.header(s.signature()));
      if (s != sets.get(sets.size() - 1)) {
        data.append(Canonicalization.RELAXED.header(s.seal()));
      }
    }
    String own = Canonicalization.RELAXED.header(lastSealWithoutB);
    data.append(own, 0, own.length() - 2);
    return data.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private static ArcChain failed(String why) {
    return new ArcChain(List.of(), why);
  }

  /** A field's {@code i=}, or -1 when it has none that reads. */
  private static int instance(String field, boolean results) {
    String value = field.substring(field.indexOf(':') + 1);
    if (results) {
      Matcher m = RESULTS_INSTANCE.matcher(value);
      return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }
    String i = KeyRecord.tags(value).get("i");
    return i != null && i.matches("[0-9]{1,9}") ? Integer.parseInt(i) : -1;
  }
}
