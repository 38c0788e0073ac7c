/**
 * MTA-STS (RFC 8461) for outbound mail: {@link io.postino.mtasts.MtaStsPolicies} finds the policy
 * a recipient domain publishes (its {@code _mta-sts} TXT record through Postino's resolver, the
 * policy over HTTPS with WebPKI checks), keeps it for its {@code max_age} in memory and on disk,
 * refreshes it before it expires, and reports failed fetches to the TLS reporter. What the policy
 * means for each MX host is decided in {@code tlspolicy}.
 *
 * <p>Depends on: {@code tlspolicy}, {@code dns}, {@code files}.
 */
package io.postino.mtasts;
