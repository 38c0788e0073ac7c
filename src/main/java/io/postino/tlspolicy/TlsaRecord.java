package io.postino.tlspolicy;

import java.util.HexFormat;
import java.util.Objects;

/**
 * One TLSA record (RFC 6698 section 2.1): how a certificate is matched. Only the usages DANE for
 * SMTP uses are usable (RFC 7672 section 3.1.3): DANE-TA(2) and DANE-EE(3), selectors
 * Cert(0) and SPKI(1), matching types Full(0), SHA2-256(1) and SHA2-512(2).
 *
 * @param usage        certificate usage: 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE
 * @param selector     0 the whole certificate, 1 its SubjectPublicKeyInfo
 * @param matchingType 0 the selected octets themselves, 1 their SHA-256, 2 their SHA-512
 * @param data         the certificate association data
 */
public record TlsaRecord(int usage, int selector, int matchingType, byte[] data) {

  public static final int DANE_TA = 2;
  public static final int DANE_EE = 3;

  public TlsaRecord {
    Objects.requireNonNull(data, "data");
    data = data.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  /** Whether DANE for SMTP uses this record (RFC 7672 section 3.1.3; PKIX-TA/EE are ignored). */
  public boolean usable() {
    boolean lengthFits = switch (matchingType) {
      case 0 -> data.length > 0;
      case 1 -> data.length == 32;
      case 2 -> data.length == 64;
      default -> false;
    };
    return (usage == DANE_TA || usage == DANE_EE) && (selector == 0 || selector == 1) && lengthFits;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TlsaRecord r && r.usage == usage && r.selector == selector && r.matchingType == matchingType
        && java.util.Arrays.equals(r.data, data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(usage, selector, matchingType, java.util.Arrays.hashCode(data));
  }

  /** The presentation form, {@code 3 1 1 ab12...}: what logs and TLS reports show. */
  @Override
  public String toString() {
    return usage + " " + selector + " " + matchingType + " " + HexFormat.of().formatHex(data);
  }
}
