package io.postino.tlspolicy;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The configuration's part in the TLS policy of outbound mail (the {@code delivery} options).
 *
 * @param starttls           use STARTTLS when offered
 * @param verifyCertificates check every certificate (WebPKI), as for {@code requireTlsDomains}
 * @param requireTlsDomains  recipient domains whose mail leaves only over verified TLS
 * @param dane               DANE for every domain without an override
 * @param daneDomains        per recipient domain (lower case), a DANE setting of its own
 * @param mtaSts             whether MTA-STS policies are looked up and followed
 */
public record TlsSettings(boolean starttls, boolean verifyCertificates, Set<String> requireTlsDomains, Dane dane,
    Map<String, Dane> daneDomains, boolean mtaSts) {

  public TlsSettings {
    requireTlsDomains = Set.copyOf(requireTlsDomains);
    daneDomains = Map.copyOf(daneDomains);
  }

  /** Postfix's security levels for DANE: off, used where published, or required. */
  public enum Dane {
    /** TLSA records are not looked up. */
    NONE,
    /** Where the route is DNSSEC-secure and the host has usable TLSA records, they are required (Postfix {@code dane}). */
    MAY,
    /** Every host must have usable, DNSSEC-secure TLSA records, else it is not used (Postfix {@code dane-only}). */
    DANE_ONLY;

    /** {@code none}, {@code may} or {@code dane-only}, as in the configuration. */
    public String jsonName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Dane fromJsonName(String name) {
      for (Dane d : values()) {
        if (d.jsonName().equals(name)) {
          return d;
        }
      }
      throw new IllegalArgumentException("not none, may or dane-only: " + name);
    }
  }

  /** The DANE setting for mail to {@code domain}. */
  public Dane daneFor(String domain) {
    return daneDomains.getOrDefault(domain.toLowerCase(Locale.ROOT), dane);
  }

  /** Whether DANE may apply to any domain (it is not {@code none} for all). */
  public boolean usesDane() {
    return dane != Dane.NONE || daneDomains.values().stream().anyMatch(d -> d != Dane.NONE);
  }

  public boolean requiresTls(String domain) {
    return requireTlsDomains.contains(domain.toLowerCase(Locale.ROOT));
  }
}
