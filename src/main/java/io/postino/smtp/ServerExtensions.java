package io.postino.smtp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The service extensions a server announced in its EHLO reply (RFC 5321 section 4.1.1.1): one
 * keyword per line after the first, with optional parameters. A HELO reply, or a line that is
 * not a keyword, announces nothing.
 *
 * @param keywords upper-case keyword to its parameters (as sent), in the order announced
 */
public record ServerExtensions(Map<String, List<String>> keywords) {

  /** What a server that answered HELO, or nothing yet, supports. */
  public static final ServerExtensions NONE = new ServerExtensions(Map.of());

  public ServerExtensions {
    keywords = Collections.unmodifiableMap(new LinkedHashMap<>(keywords));
  }

  /** Reads the extensions of a 250 reply to EHLO. */
  public static ServerExtensions parse(SmtpReply ehlo) {
    Map<String, List<String>> map = new LinkedHashMap<>();
    List<String> lines = ehlo.lines();
    for (int i = 1; i < lines.size(); i++) {
      String[] words = lines.get(i).trim().split("[ \t]+");
      String keyword = words[0];
      if (keyword.isEmpty() || !keyword.chars().allMatch(c -> c < 0x80 && (Character.isLetterOrDigit(c) || c == '-'))) {
        continue;
      }
      List<String> params = new ArrayList<>(words.length - 1);
      for (int w = 1; w < words.length; w++) {
        params.add(words[w]);
      }
      map.putIfAbsent(keyword.toUpperCase(Locale.ROOT), List.copyOf(params));
    }
    // Old servers announce "AUTH=LOGIN PLAIN", as some clients once required; treat it as AUTH.
    for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
      String upper = line.trim().toUpperCase(Locale.ROOT);
      if (upper.startsWith("AUTH=") && !map.containsKey("AUTH")) {
        map.put("AUTH", List.of(line.trim().substring(5).trim().split("[ \t]+")));
      }
    }
    return new ServerExtensions(map);
  }

  public boolean has(String keyword) {
    return keywords.containsKey(keyword);
  }

  public boolean pipelining() {
    return has("PIPELINING");
  }

  public boolean startTls() {
    return has("STARTTLS");
  }

  public boolean eightBitMime() {
    return has("8BITMIME");
  }

  public boolean smtpUtf8() {
    return has("SMTPUTF8");
  }

  public boolean dsn() {
    return has("DSN");
  }

  /** CHUNKING and BINARYMIME together: what a BODY=BINARYMIME message needs (RFC 3030). */
  public boolean binaryMime() {
    return has("CHUNKING") && has("BINARYMIME");
  }

  /**
   * The SIZE limit in octets: -1 when SIZE is not announced, 0 when it is announced without a
   * limit (or with one we cannot read, which RFC 1870 does not allow but some servers send).
   */
  public long maxSize() {
    List<String> params = keywords.get("SIZE");
    if (params == null) {
      return -1;
    }
    if (params.isEmpty()) {
      return 0;
    }
    try {
      return Math.max(0, Long.parseLong(params.get(0)));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** The SASL mechanisms of the AUTH keyword, upper case; empty when AUTH is not announced. */
  public List<String> authMechanisms() {
    List<String> params = keywords.getOrDefault("AUTH", List.of());
    return params.stream().map(p -> p.toUpperCase(Locale.ROOT)).toList();
  }
}
