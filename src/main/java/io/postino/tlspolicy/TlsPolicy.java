package io.postino.tlspolicy;

import java.util.List;
import java.util.Objects;

/**
 * What a session to one mail exchanger must do about TLS, decided before connecting from the
 * destination's published policies (DANE, MTA-STS) and the configuration; see
 * {@link TlsPolicies}. {@link #name()} is what delivery lines, {@code postino.delivery.events} and
 * TLS reports say.
 */
public sealed interface TlsPolicy {

  /** {@code none}, {@code opportunistic}, {@code verify}, {@code mta-sts} or {@code dane}. */
  String name();

  /** Whether the session must be TLS: a host without STARTTLS, or a failed handshake, is skipped. */
  boolean requiresTls();

  /**
   * Whether the server's identity is checked and a failed check stops the session: what
   * REQUIRETLS (RFC 8689 section 5) asks of every hop.
   */
  boolean authenticates();

  /** No STARTTLS ({@code starttls: false} and nothing asks more). */
  record Plaintext() implements TlsPolicy {
    @Override
    public String name() {
      return "none";
    }

    @Override
    public boolean requiresTls() {
      return false;
    }

    @Override
    public boolean authenticates() {
      return false;
    }
  }

  /**
   * STARTTLS when offered, any certificate (RFC 7435); a failed handshake is retried in plaintext,
   * as Postfix does at security level {@code may}.
   */
  record Opportunistic() implements TlsPolicy {
    @Override
    public String name() {
      return "opportunistic";
    }

    @Override
    public boolean requiresTls() {
      return false;
    }

    @Override
    public boolean authenticates() {
      return false;
    }
  }

  /**
   * The certificate chain is checked against the trusted authorities (WebPKI) and must name the
   * MX host.
   *
   * @param source   {@code verify} (the configuration: {@code verifyCertificates},
   *                 {@code requireTlsDomains}) or {@code mta-sts} (RFC 8461)
   * @param required TLS is required (a host without STARTTLS is skipped); without it a host
   *                 without STARTTLS gets plaintext, but a certificate that fails is never
   *                 accepted ({@code verifyCertificates} alone)
   * @param enforced false for MTA-STS {@code mode: testing}: the check is made and reported, and
   *                 the mail goes as with opportunistic TLS whatever it found (RFC 8461 section 5)
   */
  record Pkix(String source, boolean required, boolean enforced) implements TlsPolicy {
    public static final String VERIFY = "verify";
    public static final String MTA_STS = "mta-sts";

    public Pkix {
      Objects.requireNonNull(source, "source");
    }

    @Override
    public String name() {
      return source;
    }

    @Override
    public boolean requiresTls() {
      return required && enforced;
    }

    @Override
    public boolean authenticates() {
      return enforced;
    }
  }

  /**
   * DANE (RFC 7672): TLS is required and the certificate must match one of the host's usable TLSA
   * records; for DANE-TA(2) records the certificate must also name one of {@code names} (the MX
   * host name, then the name the MX lookup started from, RFC 7672 section 3.2.2).
   */
  record Dane(List<TlsaRecord> records, List<String> names) implements TlsPolicy {
    public Dane {
      records = List.copyOf(records);
      names = List.copyOf(names);
      if (records.isEmpty()) {
        throw new IllegalArgumentException("DANE needs at least one usable TLSA record");
      }
    }

    @Override
    public String name() {
      return "dane";
    }

    @Override
    public boolean requiresTls() {
      return true;
    }

    @Override
    public boolean authenticates() {
      return true;
    }
  }

  /**
   * This host may not be used: its MTA-STS policy does not list it, its TLSA records could not be
   * looked up securely, DANE is required and it has none. The mail waits for another try (or
   * another host), never goes in plaintext.
   *
   * @param policy     the policy that excludes it ({@code dane}, {@code mta-sts})
   * @param status     the enhanced status of the failure ({@code 4.7.5}...)
   * @param text       why, for the delivery line and the bounce
   * @param resultType the RFC 8460 result type a TLS report gives it ({@code dnssec-invalid},
   *                   {@code validation-failure}...)
   */
  record Unusable(String policy, String status, String text, String resultType) implements TlsPolicy {
    public Unusable {
      Objects.requireNonNull(policy, "policy");
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(text, "text");
      Objects.requireNonNull(resultType, "resultType");
    }

    @Override
    public String name() {
      return policy;
    }

    @Override
    public boolean requiresTls() {
      return true;
    }

    @Override
    public boolean authenticates() {
      return true;
    }
  }
}
