package io.postino.intake;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * What a client said in HELO/EHLO, judged for the {@code Received:} header: a syntactically valid
 * host name or address literal goes in as it is; anything else only in a reduced form.
 *
 * <p>SECURITY: the HELO argument is free text chosen by the client. Copied verbatim, {@code
 * trusted.example ([10.99.0.1]) by mx.victim} makes a header whose first bracketed address is
 * not the client's. The reduced form keeps letters, digits, dot, hyphen and underscore and turns
 * every other character into {@code ?}, so no bracket, parenthesis, space or line break of the
 * client's reaches the header.
 */
final class HeloName {

  /** RFC 1035: a name of at most 255 octets; also where a reduced form is cut. */
  private static final int MAX_NAME = 255;
  private static final int MAX_LABEL = 63;

  private HeloName() {
  }

  /**
   * True for a host name (labels of letters, digits, hyphens and, as Postfix allows, underscores;
   * not all digits in the last label, so that it cannot pass for an address) or an address literal
   * {@code [192.0.2.7]} / {@code [IPv6:2001:db8::7]}.
   */
  static boolean isValid(String helo) {
    if (helo.startsWith("[")) {
      return isAddressLiteral(helo);
    }
    if (helo.isEmpty() || helo.length() > MAX_NAME) {
      return false;
    }
    int labelStart = 0;
    boolean allDigits = true;
    for (int i = 0; i <= helo.length(); i++) {
      char c = i < helo.length() ? helo.charAt(i) : '.';
      if (c == '.') {
        int length = i - labelStart;
        if (length == 0 || length > MAX_LABEL || helo.charAt(labelStart) == '-' || helo.charAt(i - 1) == '-') {
          return false;
        }
        if (i < helo.length()) {
          labelStart = i + 1;
          allDigits = true;
        }
      } else if (c >= '0' && c <= '9') {
        continue;
      } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_') {
        allDigits = false;
      } else {
        return false;
      }
    }
    return !allDigits;
  }

  private static boolean isAddressLiteral(String helo) {
    if (!helo.endsWith("]") || helo.length() < 3) {
      return false;
    }
    String inner = helo.substring(1, helo.length() - 1);
    if (inner.regionMatches(true, 0, "IPv6:", 0, 5)) {
      String v6 = inner.substring(5);
      if (v6.isEmpty() || !v6.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
        return false;
      }
      try {
        // bracketed and made only of hex digits, colons and dots: parsed as a literal, never looked up
        return InetAddress.getByName("[" + v6 + "]").getAddress().length == 16;
      } catch (UnknownHostException e) {
        return false;
      }
    }
    String[] octets = inner.split("\\.", -1);
    if (octets.length != 4) {
      return false;
    }
    for (String octet : octets) {
      if (octet.isEmpty() || octet.length() > 3 || !octet.chars().allMatch(c -> c >= '0' && c <= '9')
          || Integer.parseInt(octet) > 255) {
        return false;
      }
    }
    return true;
  }

  /** The HELO argument with every character but letters, digits, {@code . - _} made {@code ?}, cut at 255. */
  static String reduced(String helo) {
    int n = Math.min(helo.length(), MAX_NAME);
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      char c = helo.charAt(i);
      boolean kept = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '-' || c == '_';
      sb.append(kept ? c : '?');
    }
    return sb.toString();
  }
}
