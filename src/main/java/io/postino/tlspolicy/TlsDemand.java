package io.postino.tlspolicy;

/**
 * What the originator of a message asked of its transport (RFC 8689), and what that does to the
 * policy {@link TlsPolicies} decided for each host.
 */
public enum TlsDemand {

  /** Nothing asked: each host's policy as decided. */
  NONE,

  /**
   * {@code MAIL FROM ... REQUIRETLS} (RFC 8689 section 4.2.1): TLS with an authenticated server,
   * whatever the destination publishes. DANE and enforced WebPKI (MTA-STS, {@code verify}) stay;
   * every other host must present a certificate that verifies and names it ({@code verify},
   * required), since a certificate chain to a trusted authority is what section 2 accepts besides
   * DANE. A host that cannot be used stays unused.
   */
  REQUIRED,

  /**
   * {@code TLS-Required: No} (RFC 8689 section 3 and 8.4): the recipient domain's policies (DANE,
   * MTA-STS) and this site's demands on it ({@code requireTlsDomains}, {@code verifyCertificates})
   * are set aside: STARTTLS when offered, any certificate, plaintext otherwise. A host those
   * policies would not use becomes usable. Plaintext ({@code starttls: false}) stays plaintext.
   */
  OPTIONAL;

  /**
   * The demand of a message: REQUIRETLS on MAIL FROM wins over the header field, which is then
   * ignored (section 4.1).
   *
   * @param requireTls    the message was received with REQUIRETLS
   * @param tlsRequiredNo its header section says {@code TLS-Required: No}
   */
  public static TlsDemand of(boolean requireTls, boolean tlsRequiredNo) {
    return requireTls ? REQUIRED : tlsRequiredNo ? OPTIONAL : NONE;
  }

  /** The policy a session to a host under {@code policy} follows for a message with this demand. */
  public TlsPolicy apply(TlsPolicy policy) {
    return switch (this) {
      case NONE -> policy;
      case REQUIRED -> policy instanceof TlsPolicy.Dane || policy instanceof TlsPolicy.Unusable ? policy
          : policy instanceof TlsPolicy.Pkix p && p.authenticates() ? new TlsPolicy.Pkix(p.source(), true, true)
          : new TlsPolicy.Pkix(TlsPolicy.Pkix.VERIFY, true, true);
      case OPTIONAL -> policy instanceof TlsPolicy.Plaintext ? policy : new TlsPolicy.Opportunistic();
    };
  }

  /**
   * The name of {@code policy} as delivery lines and events give it: {@code requiretls+dane},
   * {@code requiretls+mta-sts}, {@code requiretls+verify} for a REQUIRETLS message (one token, for
   * greps); the policy's own name otherwise.
   */
  public String policyName(TlsPolicy policy) {
    return this == REQUIRED ? "requiretls+" + policy.name() : policy.name();
  }
}
