package io.postino.tlspolicy;

import java.security.cert.CertificateException;

/**
 * A server certificate that DANE does not accept, with the RFC 8460 result type (section 4.3) a
 * TLS report gives the failure.
 */
public final class DaneVerificationException extends CertificateException {

  private static final long serialVersionUID = 1L;

  private final String resultType;

  public DaneVerificationException(String resultType, String message) {
    super(message);
    this.resultType = resultType;
  }

  public DaneVerificationException(String resultType, String message, Throwable cause) {
    super(message, cause);
    this.resultType = resultType;
  }

  /** {@code tlsa-invalid}, {@code certificate-host-mismatch}, {@code certificate-expired}... */
  public String resultType() {
    return resultType;
  }
}
