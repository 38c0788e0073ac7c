package io.postino.spf;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An SPF record (RFC 7208 sections 4.5 and 12): its directives in order and its {@code redirect=}
 * and {@code exp=} modifiers, checked for syntax as a whole before anything is evaluated (a syntax
 * error anywhere is a {@code permerror}, section 4.6). Unknown modifiers are ignored, unknown
 * mechanisms are errors. Macro strings are kept unexpanded, but checked. Pure.
 */
record SpfRecord(List<Directive> directives, String redirect, String exp) {

  enum Mechanism { ALL, INCLUDE, A, MX, PTR, IP4, IP6, EXISTS }

  /**
   * One directive.
   *
   * @param qualifier  {@code + - ~ ?}
   * @param domainSpec the macro string of the target domain, or null for the current domain
   * @param network    the address of {@code ip4:}/{@code ip6:}, else null
   * @param cidr4      the IPv4 prefix length (32 when not given)
   * @param cidr6      the IPv6 prefix length (128 when not given)
   */
  record Directive(char qualifier, Mechanism mechanism, String domainSpec, InetAddress network, int cidr4,
      int cidr6) {
  }

  private static final Pattern VERSION = Pattern.compile("(?i)v=spf1(?: .*)?");
  private static final Pattern MODIFIER = Pattern.compile("([A-Za-z][A-Za-z0-9_.-]*)=(.*)");
  private static final Pattern MECHANISM = Pattern.compile("([+~?-]?)([A-Za-z0-9]+)(?::([^/]*))?((?:/[0-9]+)?(?://[0-9]+)?)");
  private static final Pattern SINGLE_CIDR = Pattern.compile("(?:/(0|[1-9][0-9]{0,2}))?");
  private static final Pattern TOP_LABEL = Pattern.compile(
      "(?s).*\\.(?:[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9])");
  private static final Pattern DUAL_CIDR = Pattern.compile("(?:/(0|[1-9][0-9]?))?(?://(0|[1-9][0-9]{0,2}))?");

  /** Whether a TXT record's text is an SPF record: {@code v=spf1} alone or followed by a space. */
  static boolean isSpf(String text) {
    return VERSION.matcher(text).matches();
  }

  static SpfRecord parse(String text) {
    List<Directive> directives = new ArrayList<>();
    String redirect = null;
    String exp = null;
    String[] terms = text.substring("v=spf1".length()).split(" +");
    for (String term : terms) {
      if (term.isEmpty()) {
        continue;
      }
      Matcher modifier = MODIFIER.matcher(term);
      if (modifier.matches()) {
        String name = modifier.group(1).toLowerCase(Locale.ROOT);
        String value = modifier.group(2);
        Macros.check(value, false);
        if (name.equals("redirect")) {
          if (redirect != null) {
            throw SpfException.permerror("two redirect= modifiers");
          }
          redirect = domainSpec(value);
        } else if (name.equals("exp")) {
          if (exp != null) {
            throw SpfException.permerror("two exp= modifiers");
          }
          exp = domainSpec(value);
        }
        continue;
      }
      directives.add(directive(term));
    }
    return new SpfRecord(List.copyOf(directives), redirect, exp);
  }

  private static Directive directive(String term) {
    Matcher m = MECHANISM.matcher(term);
    if (!m.matches()) {
      throw SpfException.permerror("not an SPF term: " + term);
    }
    char qualifier = m.group(1).isEmpty() ? '+' : m.group(1).charAt(0);
    String argument = m.group(3);
    String cidr = m.group(4);
    Mechanism mechanism;
    try {
      mechanism = Mechanism.valueOf(m.group(2).toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw SpfException.permerror("unknown mechanism: " + term);
    }
    Matcher lengths = DUAL_CIDR.matcher(cidr);
    if (!lengths.matches()) {
      throw SpfException.permerror("bad prefix length: " + term);
    }
    int cidr4 = lengths.group(1) == null ? 32 : Integer.parseInt(lengths.group(1));
    int cidr6 = lengths.group(2) == null ? 128 : Integer.parseInt(lengths.group(2));
    if (cidr4 > 32 || cidr6 > 128) {
      throw SpfException.permerror("prefix length out of range: " + term);
    }
    boolean hasCidr = !cidr.isEmpty();
    switch (mechanism) {
      case ALL -> require(argument == null && !hasCidr, term);
      case INCLUDE, EXISTS -> require(argument != null && !hasCidr, term);
      case PTR -> require(!hasCidr, term);
      case A, MX -> {
      }
      case IP4, IP6 -> {
        require(argument != null, term);
        InetAddress network = network(argument, mechanism == Mechanism.IP4, term);
        // ip4 and ip6 take one "/n", not the "//n" of a and mx
        Matcher single = SINGLE_CIDR.matcher(cidr);
        if (!single.matches()) {
          throw SpfException.permerror("bad prefix length: " + term);
        }
        int length = single.group(1) == null ? (mechanism == Mechanism.IP4 ? 32 : 128) : Integer.parseInt(single.group(1));
        if (length > (mechanism == Mechanism.IP4 ? 32 : 128)) {
          throw SpfException.permerror("prefix length out of range: " + term);
        }
        return new Directive(qualifier, mechanism, null, network, length, length);
      }
      default -> throw new IllegalStateException();
    }
    return new Directive(qualifier, mechanism, argument == null ? null : domainSpec(argument), null, cidr4, cidr6);
  }

  /** A domain-spec: a macro string that ends in a top label or a macro (section 7.1). */
  private static String domainSpec(String spec) {
    if (spec.isEmpty()) {
      throw SpfException.permerror("empty domain");
    }
    Macros.check(spec, false);
    String end = spec.endsWith(".") ? spec.substring(0, spec.length() - 1) : spec;
    boolean macroEnd = end.endsWith("}") || end.endsWith("%%") || end.endsWith("%_") || end.endsWith("%-");
    if (!macroEnd && !TOP_LABEL.matcher(end).matches()) {
      throw SpfException.permerror("not a domain: " + spec);
    }
    return spec;
  }

  private static InetAddress network(String text, boolean v4, String term) {
    boolean looksV4 = text.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    boolean looksV6 = text.contains(":") && text.matches("[0-9A-Fa-f:.]+");
    if (v4 ? !looksV4 : !looksV6) {
      throw SpfException.permerror("bad address: " + term);
    }
    if (looksV4) {
      for (String octet : text.split("\\.")) {
        if (Integer.parseInt(octet) > 255 || octet.length() > 1 && octet.startsWith("0")) {
          throw SpfException.permerror("bad address: " + term);
        }
      }
    }
    try {
      // a literal (checked above): parsed without any lookup
      InetAddress address = InetAddress.getByName(text);
      if (v4 && address.getAddress().length != 4) {
        throw SpfException.permerror("bad address: " + term);
      }
      return address;
    } catch (UnknownHostException e) {
      throw SpfException.permerror("bad address: " + term);
    }
  }

  private static void require(boolean ok, String term) {
    if (!ok) {
      throw SpfException.permerror("malformed mechanism: " + term);
    }
  }
}
