package io.postino.bus;

import io.postino.smtp.MailAddress;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code transport} table: which {@link Transport} takes the mail of an address or a domain,
 * looked up as Postfix's transport(5) does: the whole address ({@code user@example.org}), then
 * the domain ({@code example.org}), then each parent domain written with a leading dot
 * ({@code .example.org} takes every subdomain of example.org, not example.org itself), then
 * {@code *}. Keys are compared without regard to case. Immutable.
 */
public final class TransportTable {

  public static final TransportTable EMPTY = new TransportTable(Map.of());

  private final Map<String, Transport> entries;

  private TransportTable(Map<String, Transport> entries) {
    this.entries = Map.copyOf(entries);
  }

  /**
   * Reads a table of key to entry; throws {@link IllegalArgumentException} naming the first key
   * or entry that is wrong.
   */
  public static TransportTable of(Map<String, String> table) {
    Map<String, Transport> entries = new LinkedHashMap<>();
    table.forEach((key, spec) -> {
      String k = key.strip().toLowerCase(Locale.ROOT);
      boolean valid = k.equals("*")
          || (!k.isEmpty() && !k.endsWith(".") && !k.contains("..") && k.indexOf(' ') < 0
              && (k.indexOf('@') < 0 || (k.indexOf('@') > 0 && k.indexOf('@') == k.lastIndexOf('@')
                  && k.indexOf('@') < k.length() - 1)));
      if (!valid) {
        throw new IllegalArgumentException("not an address, a domain, .domain or *: " + key);
      }
      try {
        entries.put(k, Transport.parse(spec));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
      }
    });
    return new TransportTable(entries);
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** The transport of {@code recipient}, or null when its mail goes the usual way. */
  public Transport lookup(MailAddress recipient) {
    if (entries.isEmpty()) {
      return null;
    }
    String domain = recipient.domainLowerCase();
    Transport t = entries.get(recipient.localPart().toLowerCase(Locale.ROOT) + "@" + domain);
    if (t == null) {
      t = entries.get(domain);
    }
    for (int dot = domain.indexOf('.'); t == null && dot >= 0; dot = domain.indexOf('.', dot + 1)) {
      t = entries.get(domain.substring(dot));
    }
    return t != null ? t : entries.get("*");
  }
}
