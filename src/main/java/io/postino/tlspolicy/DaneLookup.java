package io.postino.tlspolicy;

import io.postino.bus.Route;
import io.postino.bus.RouteHost;
import io.vertx.core.Future;

/** DANE's DNS questions (RFC 7672 section 2): what the TLSA records of a route's host say. */
public interface DaneLookup {

  /**
   * The TLSA records of {@code host} ({@code _25._tcp.<host>}, for its port), looked up only when
   * the route to it is DNSSEC-secure. Never fails: a lookup that fails is an answer too.
   */
  Future<TlsaAnswer> tlsa(Route route, RouteHost host);

  /** What a TLSA lookup found. */
  record TlsaAnswer(Status status, java.util.List<TlsaRecord> records, String reason) {

    public TlsaAnswer {
      records = java.util.List.copyOf(records);
    }

    public static TlsaAnswer insecure(String reason) {
      return new TlsaAnswer(Status.INSECURE, java.util.List.of(), reason);
    }

    public static TlsaAnswer failed(String reason) {
      return new TlsaAnswer(Status.FAILED, java.util.List.of(), reason);
    }

    public static TlsaAnswer secure(java.util.List<TlsaRecord> records) {
      return new TlsaAnswer(Status.SECURE, records, null);
    }

    /** The records DANE for SMTP uses. */
    public java.util.List<TlsaRecord> usable() {
      return records.stream().filter(TlsaRecord::usable).toList();
    }
  }

  /** How far DNSSEC vouches for the answer. */
  enum Status {
    /** The route or the TLSA answer is not DNSSEC-validated, or there is no TLSA record: DANE does not apply. */
    INSECURE,
    /** Validated TLSA records (which may all be unusable: then DANE does not apply either). */
    SECURE,
    /** The route is secure but the TLSA lookup failed (SERVFAIL, bogus, timeout): the host is not used now. */
    FAILED
  }

  /** No DANE: every host is insecure (the {@code dane: none} setting, or no DNSSEC support). */
  DaneLookup NONE = (route, host) -> Future.succeededFuture(TlsaAnswer.insecure("DANE is off"));
}
