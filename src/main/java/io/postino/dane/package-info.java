/**
 * DANE's DNS questions for outbound SMTP (RFC 7672 section 2): {@link io.postino.dane.TlsaLookup}
 * asks for the TLSA records of a route's host, only where the route says DNSSEC validated its
 * names and the host's addresses, and tells secure records from an insecure or failed lookup. The
 * certificate check itself is {@code tlspolicy}'s {@code DaneTrustManager}.
 *
 * <p>Depends on: {@code bus}, {@code dns}, {@code tlspolicy}.
 */
package io.postino.dane;
