package io.postino.delivery;

import io.postino.tlspolicy.DaneVerificationException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;

/** The RFC 8460 result type (section 4.3) a failed TLS handshake reports. */
final class TlsFailures {

  private TlsFailures() {
  }

  static String resultType(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof DaneVerificationException dane) {
        return dane.resultType();
      }
      if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException) {
        return "certificate-expired";
      }
      String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (m.contains("no subject alternative") || m.contains("no name matching")) {
        return "certificate-host-mismatch";
      }
      if (m.contains("expired") || m.contains("not yet valid")) {
        return "certificate-expired";
      }
      if (m.contains("pkix path") || m.contains("unable to find valid certification path")) {
        return "certificate-not-trusted";
      }
    }
    return "validation-failure";
  }
}
