package io.postino.alias;

import io.postino.smtp.LocalParts;
import io.postino.smtp.MailAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Virtual aliases: each key is an address ({@code info@example.org}) or a whole domain
 * ({@code @example.org}), each value a list of targets, which are addresses or, for a domain key,
 * domains ({@code @example.org}: the same local part in that domain). Keys are compared without
 * case, local parts in Unicode NFC, as the recipient policy compares users.
 */
public final class AliasTable {

  public static final AliasTable EMPTY = new AliasTable(Map.of());

  private final Map<String, List<String>> entries;
  private final Set<String> domains;

  private AliasTable(Map<String, List<String>> entries) {
    this.entries = Collections.unmodifiableMap(entries);
    Set<String> d = new HashSet<>();
    entries.keySet().forEach(k -> d.add(k.substring(k.lastIndexOf('@') + 1)));
    this.domains = Set.copyOf(d);
  }

  /**
   * Checks and normalises the entries of a configuration or an alias file.
   *
   * @param source named in errors ({@code aliases}, or the file)
   * @throws IllegalArgumentException for a key or target that is not an address or {@code @domain},
   *     an empty list, or a domain target of an address key
   */
  public static AliasTable of(Map<String, List<String>> raw, String source) {
    Map<String, List<String>> entries = new LinkedHashMap<>();
    raw.forEach((key, targets) -> {
      String k = key(key.strip(), source);
      if (targets.isEmpty()) {
        throw new IllegalArgumentException(source + ": " + key + ": no target");
      }
      List<String> list = new ArrayList<>(targets.size());
      for (String t : targets) {
        String target = t.strip();
        if (target.startsWith("@")) {
          if (!k.startsWith("@")) {
            throw new IllegalArgumentException(source + ": " + key + ": a domain target (" + target
                + ") needs a domain key (@domain)");
          }
          list.add(domainKey(target.substring(1), source, key));
        } else {
          list.add(parse(target, source, key).address());
        }
      }
      entries.put(k, List.copyOf(list));
    });
    return new AliasTable(entries);
  }

  /** This table's entries, then those of {@code other} whose key this one has not. */
  public AliasTable with(AliasTable other) {
    Map<String, List<String>> merged = new LinkedHashMap<>(entries);
    other.entries.forEach(merged::putIfAbsent);
    return new AliasTable(merged);
  }

  public int size() {
    return entries.size();
  }

  /** True when a key of this table is in {@code domain} (lower case): the domain takes mail here. */
  public boolean hasDomain(String domain) {
    return domains.contains(domain);
  }

  /** The targets of an address key, or null. */
  List<String> address(String localPart, String domain) {
    return entries.get(normalize(localPart) + "@" + domain.toLowerCase(Locale.ROOT));
  }

  /** The targets of a domain key ({@code @domain}), or null. */
  List<String> domain(String domain) {
    return entries.get("@" + domain.toLowerCase(Locale.ROOT));
  }

  /** The comparison form of a local part: lower case, NFC. */
  static String normalize(String localPart) {
    return LocalParts.normalize(localPart.toLowerCase(Locale.ROOT));
  }

  /** The comparison form of an address. */
  static String normalize(MailAddress address) {
    return normalize(address.localPart()) + "@" + address.domainLowerCase();
  }

  private static String key(String key, String source) {
    if (key.startsWith("@")) {
      return domainKey(key.substring(1), source, key);
    }
    return normalize(parse(key, source, key));
  }

  private static String domainKey(String domain, String source, String key) {
    // a domain is valid when an address in it is
    parse("postmaster@" + domain, source, key);
    return "@" + domain.toLowerCase(Locale.ROOT);
  }

  private static MailAddress parse(String address, String source, String key) {
    try {
      return MailAddress.parse(address);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + key + ": not an address or @domain: " + address);
    }
  }
}
