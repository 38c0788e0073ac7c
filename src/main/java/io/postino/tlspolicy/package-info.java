/**
 * The TLS policy of outbound mail (what an attacker on the path can no longer strip or fake):
 * {@link io.postino.tlspolicy.TlsPolicies} decides, for each host of a domain's route, whether a
 * session to it is plaintext, opportunistic, verified by WebPKI (the configuration, MTA-STS) or by
 * DANE, or may not be used at all ({@link io.postino.tlspolicy.TlsPolicy}); the delivery follows
 * it and reports each negotiation to a {@link io.postino.tlspolicy.TlsReporter} (SMTP TLS
 * reporting, RFC 8460). What DANE's DNS says ({@link io.postino.tlspolicy.DaneLookup}) and what
 * MTA-STS policy a domain publishes ({@link io.postino.tlspolicy.StsLookup}) are found by the
 * implementations given to it. What a message's originator asks ({@link
 * io.postino.tlspolicy.TlsDemand}: REQUIRETLS, {@code TLS-Required: No}, RFC 8689) raises or sets
 * aside those policies for that message. No I/O of its own.
 *
 * <p>Depends on: {@code bus}, {@code config}.
 */
package io.postino.tlspolicy;
