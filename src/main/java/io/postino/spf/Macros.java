package io.postino.spf;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * SPF macro strings (RFC 7208 section 7): {@code %{letter [digits] [r] [delimiters]}}, {@code %%},
 * {@code %_} and {@code %-}. A letter's value is split at the delimiters (default {@code .}),
 * reversed with {@code r}, cut to its rightmost {@code digits} parts and joined with dots; an
 * upper-case letter URL-escapes it. {@code c}, {@code r} and {@code t} are for explanations only.
 * Pure: the {@code p} macro's validated name is looked up before expansion.
 */
final class Macros {

  private static final String DELIMITERS = ".-+,/_=";
  private static final String LETTERS = "slodiphv";
  private static final String EXPLANATION_LETTERS = "crt";

  /** What the macros of one evaluation stand for. */
  record Context(String sender, String domain, InetAddress ip, String helo, String validatedName,
      String receiver, long now) {

    String localPart() {
      int at = sender.lastIndexOf('@');
      return at <= 0 ? "postmaster" : sender.substring(0, at);
    }

    String senderDomain() {
      int at = sender.lastIndexOf('@');
      return at < 0 ? sender : sender.substring(at + 1);
    }
  }

  private Macros() {
  }

  /** Throws a permerror when {@code spec} is not a valid macro string. */
  static void check(String spec, boolean explanation) {
    expand(spec, null, explanation);
  }

  /** Whether a macro string uses the {@code p} macro (which costs a PTR lookup). */
  static boolean usesP(String spec) {
    String s = spec.toLowerCase(Locale.ROOT);
    return s.contains("%{p");
  }

  /**
   * The expansion of a macro string; with a null context, only checks it. In a domain-spec (not an
   * explanation), a result over 253 octets loses labels on the left until it fits (section 7.3).
   */
  static String expand(String spec, Context context, boolean explanation) {
    StringBuilder out = new StringBuilder(spec.length() + 32);
    for (int i = 0; i < spec.length(); i++) {
      char c = spec.charAt(i);
      if (c != '%') {
        if (c < 0x21 && !(explanation && c == ' ') || c > 0x7e) {
          throw SpfException.permerror("invalid character in macro string: " + spec);
        }
        out.append(c);
        continue;
      }
      if (i + 1 >= spec.length()) {
        throw SpfException.permerror("lone % in macro string: " + spec);
      }
      char next = spec.charAt(++i);
      switch (next) {
        case '%' -> out.append('%');
        case '_' -> out.append(' ');
        case '-' -> out.append("%20");
        case '{' -> {
          int close = spec.indexOf('}', i);
          if (close < 0) {
            throw SpfException.permerror("unterminated macro: " + spec);
          }
          out.append(macro(spec.substring(i + 1, close), context, explanation, spec));
          i = close;
        }
        default -> throw SpfException.permerror("invalid macro: %" + next + " in " + spec);
      }
    }
    String result = out.toString();
    if (!explanation) {
      while (result.length() > 253 && result.indexOf('.') >= 0) {
        result = result.substring(result.indexOf('.') + 1);
      }
    }
    return result;
  }

  private static String macro(String body, Context context, boolean explanation, String spec) {
    if (body.isEmpty()) {
      throw SpfException.permerror("empty macro in " + spec);
    }
    char letter = body.charAt(0);
    char lower = Character.toLowerCase(letter);
    if (LETTERS.indexOf(lower) < 0 && !(explanation && EXPLANATION_LETTERS.indexOf(lower) >= 0)) {
      throw SpfException.permerror("invalid macro letter " + letter + " in " + spec);
    }
    int i = 1;
    int digitsStart = i;
    while (i < body.length() && Character.isDigit(body.charAt(i))) {
      i++;
    }
    int keep = i > digitsStart ? parseKeep(body.substring(digitsStart, i), spec) : -1;
    boolean reverse = false;
    if (i < body.length() && Character.toLowerCase(body.charAt(i)) == 'r') {
      reverse = true;
      i++;
    }
    String delimiters = body.substring(i);
    for (char d : delimiters.toCharArray()) {
      if (DELIMITERS.indexOf(d) < 0) {
        throw SpfException.permerror("invalid delimiter " + d + " in " + spec);
      }
    }
    if (context == null) {
      return "";
    }
    String value = value(lower, context);
    List<String> parts = split(value, delimiters.isEmpty() ? "." : delimiters);
    if (reverse) {
      Collections.reverse(parts);
    }
    if (keep >= 0 && keep < parts.size()) {
      parts = parts.subList(parts.size() - keep, parts.size());
    }
    String joined = String.join(".", parts);
    return Character.isUpperCase(letter) ? escape(joined) : joined;
  }

  private static int parseKeep(String digits, String spec) {
    // RFC 7208 section 7.3: zero parts is not allowed; more parts than there are keeps them all
    int n = digits.length() > 3 ? Integer.MAX_VALUE : Integer.parseInt(digits);
    if (n == 0) {
      throw SpfException.permerror("invalid transformer in " + spec);
    }
    return n;
  }

  private static String value(char letter, Context c) {
    return switch (letter) {
      case 's' -> c.sender();
      case 'l' -> c.localPart();
      case 'o' -> c.senderDomain();
      case 'd' -> c.domain();
      case 'i' -> dotted(c.ip());
      case 'p' -> c.validatedName() == null ? "unknown" : c.validatedName();
      case 'v' -> c.ip() instanceof Inet4Address ? "in-addr" : "ip6";
      case 'h' -> c.helo() == null ? "unknown" : c.helo();
      case 'c' -> c.ip().getHostAddress();
      case 'r' -> c.receiver();
      case 't' -> Long.toString(c.now());
      default -> throw new IllegalStateException("letter " + letter);
    };
  }

  /** The {@code i} form: dotted decimal for IPv4, dot-separated nibbles for IPv6. */
  static String dotted(InetAddress ip) {
    byte[] b = ip.getAddress();
    StringBuilder sb = new StringBuilder(64);
    for (byte x : b) {
      if (b.length == 4) {
        sb.append(x & 0xFF).append('.');
      } else {
        sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append('.').append(Character.forDigit(x & 0xF, 16)).append('.');
      }
    }
    return sb.substring(0, sb.length() - 1);
  }

  /** The reverse-lookup name of an address: {@code 4.3.2.1.in-addr.arpa} or {@code ...ip6.arpa}. */
  static String reverseName(InetAddress ip) {
    List<String> parts = split(dotted(ip), ".");
    Collections.reverse(parts);
    return String.join(".", parts) + (ip instanceof Inet4Address ? ".in-addr.arpa" : ".ip6.arpa");
  }

  private static List<String> split(String value, String delimiters) {
    List<String> parts = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < value.length(); i++) {
      if (delimiters.indexOf(value.charAt(i)) >= 0) {
        parts.add(value.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(value.substring(start));
    return parts;
  }

  /** URL escaping of RFC 3986 section 2.1: everything but the unreserved characters. */
  private static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length() * 3);
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xFF;
      if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
          || c == '~') {
        sb.append((char) c);
      } else {
        sb.append('%').append(String.format(Locale.ROOT, "%02X", c));
      }
    }
    return sb.toString();
  }
}
