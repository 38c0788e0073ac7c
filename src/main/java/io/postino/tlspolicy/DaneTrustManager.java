package io.postino.tlspolicy;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.security.auth.x500.X500Principal;

/**
 * Checks an SMTP server's certificate chain against the host's TLSA records (RFC 7672 section 3),
 * instead of against trusted authorities:
 * <ul>
 * <li>DANE-EE(3): the server's own certificate (selector 0) or public key (selector 1) matches;
 * nothing else is checked, neither names nor dates (section 3.1.1): the DNSSEC-signed record is
 * the whole trust.</li>
 * <li>DANE-TA(2): a certificate of the chain the server presents matches; the chain from the
 * server's certificate up to it must validate (signatures, dates, constraints) with it as the
 * trust anchor, and the server's certificate must name one of the policy's names (subject
 * alternative DNS names, else the common name; a wildcard only as the whole left-most label,
 * matching one label: section 3.2.3). A trust anchor the server does not send is not
 * found: servers must send it (section 3.2.1).</li>
 * </ul>
 * A failure is a {@link DaneVerificationException} with its RFC 8460 result type. Pure code, no I/O.
 */
public final class DaneTrustManager extends X509ExtendedTrustManager {

  private final TlsPolicy.Dane policy;

  public DaneTrustManager(TlsPolicy.Dane policy) {
    this.policy = policy;
  }

  /** Accepts the chain the server presented, or says why not. */
  public void verify(X509Certificate[] chain) throws DaneVerificationException {
    if (chain == null || chain.length == 0) {
      throw new DaneVerificationException("validation-failure", "the server presented no certificate");
    }
    for (TlsaRecord r : policy.records()) {
      if (r.usage() == TlsaRecord.DANE_EE && matches(r, chain[0])) {
        return;
      }
    }
    DaneVerificationException failure = null;
    for (int i = 0; i < chain.length; i++) {
      for (TlsaRecord r : policy.records()) {
        if (r.usage() == TlsaRecord.DANE_TA && matches(r, chain[i])) {
          try {
            validate(chain, i);
            checkName(chain[0]);
            return;
          } catch (DaneVerificationException e) {
            failure = e;
          }
        }
      }
    }
    throw failure != null ? failure : new DaneVerificationException("tlsa-invalid",
        "DANE: no TLSA record (" + policy.records() + ") matches the certificate chain of "
            + chain[0].getSubjectX500Principal().getName());
  }

  /** Whether the certificate's selected part (RFC 6698 section 2.1.3) matches the record's data. */
  static boolean matches(TlsaRecord record, X509Certificate certificate) {
    try {
      byte[] selected = switch (record.selector()) {
        case 0 -> certificate.getEncoded();
        case 1 -> certificate.getPublicKey().getEncoded();
        default -> null;
      };
      if (selected == null) {
        return false;
      }
      byte[] matched = switch (record.matchingType()) {
        case 0 -> selected;
        case 1 -> MessageDigest.getInstance("SHA-256").digest(selected);
        case 2 -> MessageDigest.getInstance("SHA-512").digest(selected);
        default -> null;
      };
      return matched != null && MessageDigest.isEqual(matched, record.data());
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** The chain below {@code anchor} validates with the certificate at {@code anchor} as trust anchor. */
  private static void validate(X509Certificate[] chain, int anchor) throws DaneVerificationException {
    if (anchor == 0) {
      return;
    }
    try {
      PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(chain[anchor], null)));
      // DANE replaces revocation checks by the TTL of the TLSA records, as Postfix
      parameters.setRevocationEnabled(false);
      CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509")
          .generateCertPath(Arrays.asList(chain).subList(0, anchor)), parameters);
    } catch (CertPathValidatorException e) {
      boolean dates = e.getReason() == CertPathValidatorException.BasicReason.EXPIRED
          || e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID;
      throw new DaneVerificationException(dates ? "certificate-expired" : "validation-failure",
          "DANE-TA: the chain does not validate up to the trust anchor of the TLSA record: " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new DaneVerificationException("validation-failure", "DANE-TA: " + e.getMessage(), e);
    }
  }

  private void checkName(X509Certificate leaf) throws DaneVerificationException {
    List<String> presented = names(leaf);
    for (String reference : policy.names()) {
      for (String name : presented) {
        if (nameMatches(name, reference)) {
          return;
        }
      }
    }
    throw new DaneVerificationException("certificate-host-mismatch",
        "DANE-TA: no name matching " + policy.names() + " in the certificate (it names " + presented + ")");
  }

  /** The DNS names of the subject alternative names, or, when there is none, the common name. */
  static List<String> names(X509Certificate certificate) {
    List<String> names = new ArrayList<>();
    try {
      if (certificate.getSubjectAlternativeNames() != null) {
        for (List<?> san : certificate.getSubjectAlternativeNames()) {
          if (Integer.valueOf(2).equals(san.get(0)) && san.get(1) instanceof String dns) {
            names.add(dns);
          }
        }
      }
    } catch (CertificateParsingException e) {
      return names;
    }
    if (names.isEmpty()) {
      for (String rdn : certificate.getSubjectX500Principal().getName(X500Principal.RFC2253).split(",")) {
        if (rdn.regionMatches(true, 0, "CN=", 0, 3)) {
          names.add(rdn.substring(3));
        }
      }
    }
    return names;
  }

  /** RFC 6125 matching as RFC 7672 section 3.2.3 limits it: case-insensitive, "*" as a whole left-most label. */
  static boolean nameMatches(String presented, String reference) {
    String p = withoutDot(presented);
    String r = withoutDot(reference);
    if (p.startsWith("*.")) {
      int dot = r.indexOf('.');
      return dot > 0 && r.substring(dot + 1).equals(p.substring(2));
    }
    return !p.isEmpty() && p.equals(r);
  }

  private static String withoutDot(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("a DANE trust manager checks servers only");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    throw new CertificateException("a DANE trust manager checks servers only");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("a DANE trust manager checks servers only");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
