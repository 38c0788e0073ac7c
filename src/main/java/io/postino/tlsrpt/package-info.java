/**
 * SMTP TLS reporting (RFC 8460) on a delivery node: {@link io.postino.tlsrpt.TlsReports} counts
 * the outcome of every TLS negotiation the delivery reports to it (per UTC day, per policy),
 * keeps the counts in files so that a restart does not lose the day, and once the day is over
 * sends each policy domain that publishes a {@code _smtp._tls} TXT record its aggregate report
 * (the JSON of section 4.4, gzip'ed): by mail through {@code postino.send}
 * ({@code multipart/report; report-type="tlsrpt"}), or posted to an HTTPS address.
 *
 * <p>Depends on: {@code tlspolicy}, {@code dns}, {@code bus}, {@code files}.
 */
package io.postino.tlsrpt;
