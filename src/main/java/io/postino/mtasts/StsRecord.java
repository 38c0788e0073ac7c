package io.postino.mtasts;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code _mta-sts.<domain>} TXT record (RFC 8461 section 3.1): {@code v=STSv1; id=20160831085700Z;}.
 * Its {@code id} changes whenever the domain publishes a new policy.
 */
final class StsRecord {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9]{1,32}");

  private StsRecord() {
  }

  /**
   * The policy id of the domain's one MTA-STS record among {@code txt} (each record's strings
   * joined), or null when there is none: records not starting with {@code v=STSv1;} are
   * discarded, and anything but exactly one left, or one that is invalid, means no policy.
   */
  static String id(List<String> txt) {
    List<String> sts = txt.stream().filter(r -> r.startsWith("v=STSv1;")).toList();
    if (sts.size() != 1) {
      return null;
    }
    String id = null;
    String[] fields = sts.get(0).split(";", -1);
    for (int i = 1; i < fields.length; i++) {
      String field = fields[i].strip();
      if (field.isEmpty()) {
        // only a trailing separator may leave an empty field
        if (i != fields.length - 1) {
          return null;
        }
        continue;
      }
      int eq = field.indexOf('=');
      if (eq <= 0) {
        return null;
      }
      String name = field.substring(0, eq);
      String value = field.substring(eq + 1);
      if (name.equals("id") && id == null) {
        if (!ID.matcher(value).matches()) {
          return null;
        }
        id = value;
      }
      // other fields are extensions, ignored (section 3.1)
    }
    return id;
  }
}
