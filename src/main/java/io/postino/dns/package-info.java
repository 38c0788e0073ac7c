/**
 * MX resolution: the {@link io.postino.dns.MxResolverVerticle} answers {@code postino.mx.resolve}
 * with the hosts to try in order (RFC 5321 section 5.1, implicit MX, null MX of RFC 7505, static
 * routes and a smarthost), cached by TTL, with loop detection; the DNS lookups themselves, one
 * short-lived client per query and failover across the configured servers; TXT questions through
 * a query of Postino's own ({@link io.postino.dns.RecordQuery}), one string per record, as are the
 * DNSSEC questions of DANE ({@link io.postino.dns.ValidatedLookup}) and the validated parts of a route
 * ({@link io.postino.dns.RouteSecurity}).
 *
 * <p>Its replies are the bus's {@code Route} types: delivery never depends on this package.
 *
 * <p>Depends on: {@code bus}, {@code smtp}, {@code config}, {@code metrics}.
 */
package io.postino.dns;
