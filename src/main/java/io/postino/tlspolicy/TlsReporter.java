package io.postino.tlspolicy;

import java.util.List;
import java.util.Objects;

/**
 * Where the outcome of each TLS negotiation under a policy goes, for SMTP TLS reporting
 * (RFC 8460): one call per session set up, or per failure to set one up.
 */
public interface TlsReporter {

  void record(Attempt attempt);

  /** Reports nothing (TLS reporting off). */
  TlsReporter NONE = attempt -> { };

  /**
   * The policy a report about a domain describes (RFC 8460 section 4.3).
   *
   * @param domain  the policy domain (the recipient domain)
   * @param type    {@code sts}, {@code tlsa} or {@code no-policy-found}
   * @param strings the policy's strings: the MTA-STS policy's lines, or the TLSA records
   * @param mxHosts the MX host patterns of an MTA-STS policy, else empty
   */
  record Scope(String domain, String type, List<String> strings, List<String> mxHosts) {
    public Scope {
      Objects.requireNonNull(domain, "domain");
      Objects.requireNonNull(type, "type");
      strings = List.copyOf(strings);
      mxHosts = List.copyOf(mxHosts);
    }

    public static Scope noPolicy(String domain) {
      return new Scope(domain, "no-policy-found", List.of(), List.of());
    }
  }

  /**
   * One negotiation.
   *
   * @param scope       the policy it was under
   * @param mxHost      the MX host name
   * @param receivingIp the address connected to
   * @param resultType  null for success, else the RFC 8460 section 4.3 result type
   *                    ({@code starttls-not-supported}, {@code certificate-host-mismatch},
   *                    {@code certificate-expired}, {@code certificate-not-trusted},
   *                    {@code validation-failure}, {@code tlsa-invalid}, {@code dnssec-invalid},
   *                    {@code dane-required}, {@code sts-policy-fetch-error},
   *                    {@code sts-policy-invalid}, {@code sts-webpki-invalid})
   * @param detail      what happened, in words, or null
   * @param sendingIp   the local address of the session, or null where there was none or it is not known
   */
  record Attempt(Scope scope, String mxHost, String receivingIp, String resultType, String detail, String sendingIp) {
    public Attempt {
      Objects.requireNonNull(scope, "scope");
    }

    /** An attempt whose local address is not known. */
    public Attempt(Scope scope, String mxHost, String receivingIp, String resultType, String detail) {
      this(scope, mxHost, receivingIp, resultType, detail, null);
    }

    public boolean success() {
      return resultType == null;
    }
  }
}
