package io.postino.dmarc;

import com.google.common.net.InternetDomainName;
import java.util.Locale;

/**
 * The organisational domain of a name (RFC 7489 section 3.2): its public suffix, from the Public
 * Suffix List that Guava's {@link InternetDomainName} carries, plus one label. A name under no
 * listed suffix takes the default rule {@code *}: its last two labels. A name that is itself a
 * public suffix is its own organisational domain. Pure.
 */
final class OrganizationalDomain {

  private OrganizationalDomain() {
  }

  static String of(String domain) {
    String d = domain.toLowerCase(Locale.ROOT);
    try {
      InternetDomainName name = InternetDomainName.from(d);
      if (name.isUnderPublicSuffix()) {
        return name.topPrivateDomain().toString();
      }
      if (name.isPublicSuffix()) {
        return d;
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      // not a name Guava accepts (an underscore label...): the default rule below
    }
    String[] labels = d.split("\\.");
    return labels.length <= 2 ? d : labels[labels.length - 2] + "." + labels[labels.length - 1];
  }

  /** Relaxed alignment: the same organisational domain; strict: the same name. */
  static boolean aligned(String a, String b, boolean strict) {
    return strict ? a.equalsIgnoreCase(b) : of(a).equals(of(b));
  }
}
