package io.postino.dkim;

import java.util.List;
import java.util.Locale;

/**
 * The author domain of a message (RFC 7489 section 3.1.1's choice, which DKIM signing by domain
 * follows): the domain of the single mailbox of its single {@code From:} field. Comments, quoted
 * display names and an angle-bracketed address are understood; anything else (no From, two From
 * fields, several mailboxes, a group) has no author domain. Pure.
 */
final class AuthorDomain {

  private AuthorDomain() {
  }

  /** The lower-case author domain, or null. */
  static String of(List<String> fields) {
    String from = null;
    for (String f : fields) {
      int colon = f.indexOf(':');
      if (f.substring(0, colon).strip().equalsIgnoreCase("From")) {
        if (from != null) {
          return null;
        }
        from = f.substring(colon + 1);
      }
    }
    return from == null ? null : domain(from);
  }

  /** The domain of an address-list value holding exactly one mailbox, or null. */
  static String domain(String value) {
    // outside quoted strings and comments: what is left, with the angle-bracketed part noted
    StringBuilder plain = new StringBuilder(value.length());
    String angle = null;
    int depth = 0;
    boolean quoted = false;
    int angleStart = -1;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\\' && (quoted || depth > 0)) {
        i++;
      } else if (quoted) {
        quoted = c != '"';
      } else if (depth > 0) {
        depth += c == '(' ? 1 : c == ')' ? -1 : 0;
      } else if (c == '"') {
        quoted = true;
      } else if (c == '(') {
        depth = 1;
      } else if (c == '<') {
        if (angle != null || angleStart >= 0) {
          return null;
        }
        angleStart = plain.length();
      } else if (c == '>' && angleStart >= 0) {
        angle = plain.substring(angleStart);
        angleStart = -2;
      } else if (c == ',' || c == ':' || c == ';') {
        // several mailboxes, or a group
        return null;
      } else {
        plain.append(c);
      }
    }
    if (angleStart >= 0 || quoted || depth > 0) {
      return null;
    }
    String address = (angle != null ? angle : plain.toString()).replaceAll("[ \t\r\n]", "");
    int at = address.lastIndexOf('@');
    if (at < 0 || at == address.length() - 1) {
      return null;
    }
    String domain = address.substring(at + 1).toLowerCase(Locale.ROOT);
    return domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
  }
}
