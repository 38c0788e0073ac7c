package io.postino.tlsrpt;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a domain wants its TLS reports: the {@code rua} of its TLSRPT record at
 * {@code _smtp._tls.<domain>} (RFC 8460 section 3), {@code v=TLSRPTv1; rua=mailto:a@b.example,https://c.example/r}.
 * TXT records that do not begin with {@code v=TLSRPTv1} are ignored; when not exactly one is
 * left, the domain has no TLS reporting (section 3). Destinations other than {@code mailto:} and
 * {@code https:} are ignored.
 */
final class RuaRecord {

  static final String VERSION = "v=TLSRPTv1";

  private RuaRecord() {
  }

  /** The record's name for {@code domain}. */
  static String name(String domain) {
    return "_smtp._tls." + domain;
  }

  /** The {@code mailto:} and {@code https:} destinations of the TXT records found, none without a valid record. */
  static List<String> destinations(List<String> txt) {
    List<String> records = txt.stream().filter(r -> r.startsWith(VERSION)
        && (r.length() == VERSION.length() || r.charAt(VERSION.length()) == ';'
            || Character.isWhitespace(r.charAt(VERSION.length())))).toList();
    if (records.size() != 1) {
      return List.of();
    }
    List<String> found = new ArrayList<>();
    for (String field : records.get(0).split(";")) {
      String f = field.strip();
      int eq = f.indexOf('=');
      if (eq < 0 || !f.substring(0, eq).strip().equalsIgnoreCase("rua")) {
        continue;
      }
      for (String uri : f.substring(eq + 1).split(",")) {
        String u = uri.strip();
        String scheme = u.toLowerCase(Locale.ROOT);
        if (scheme.startsWith("mailto:") && u.length() > 7 && mailbox(u).indexOf('@') > 0) {
          found.add(u);
        } else if (scheme.startsWith("https://")) {
          found.add(u);
        }
      }
    }
    return found;
  }

  /** The address of a {@code mailto:} destination, its %-escapes decoded, any {@code ?headers} dropped. */
  static String mailbox(String mailto) {
    String s = mailto.substring("mailto:".length());
    int q = s.indexOf('?');
    if (q >= 0) {
      s = s.substring(0, q);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0
          && hex(s.charAt(i + 2)) >= 0) {
        out.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
        i += 2;
      } else {
        out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static int hex(char c) {
    return Character.digit(c, 16);
  }
}
