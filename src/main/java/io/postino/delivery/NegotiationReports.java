package io.postino.delivery;

import io.postino.tlspolicy.TlsPolicy;
import io.postino.tlspolicy.TlsReporter;

/**
 * What the TLS reports (RFC 8460) hear of each host a delivery tried: a session set up, a TLS
 * failure, a host its policy left unused. Only MX hosts under a policy other than plaintext count
 * (not LMTP to this site's servers).
 */
final class NegotiationReports {

  private final TlsReporter reporter;
  private final SessionOpener opener;

  NegotiationReports(TlsReporter reporter, SessionOpener opener) {
    this.reporter = reporter;
    this.opener = opener;
  }

  /**
   * A session set up: TLS or not, and under MTA-STS {@code testing} what checking the certificate
   * found (RFC 8461 section 5: reported, the mail goes anyway).
   */
  void session(Hop hop, SmtpConnection c) {
    if (!c.isTls()) {
      failure(hop, "starttls-not-supported", "host " + hop.target() + " offers no STARTTLS", c.localAddress());
    } else if (hop.tls() instanceof TlsPolicy.Pkix p && !p.enforced()) {
      opener.checkPeer(c).onComplete(ar -> failure(hop, ar.succeeded() ? ar.result() : "validation-failure",
          ar.succeeded() && ar.result() == null ? null
              : "the certificate of host " + hop.target() + " would not pass (" + p.name() + " testing)",
          c.localAddress()));
    } else {
      failure(hop, null, null, c.localAddress());
    }
  }

  /**
   * A negotiation that failed with an RFC 8460 result type, or succeeded ({@code resultType} null).
   *
   * @param localAddress this side's address, when known
   */
  void failure(Hop hop, String resultType, String detail, String localAddress) {
    if (hop.scope() != null && !(hop.tls() instanceof TlsPolicy.Plaintext)) {
      reporter.record(new TlsReporter.Attempt(hop.scope(), hop.target().host(), hop.target().address(),
          resultType, detail, localAddress));
    }
  }
}
