/**
 * DNS block and allow lists (DNSBL, DNSWL; RFC 5782) asked about each client of the SMTP listener
 * when it connects, combined into a weighted score as Postfix's postscreen does: {@link
 * io.postino.dnsbl.DnsblOptions} (the {@code smtp.dnsbl} object), {@link
 * io.postino.dnsbl.Reputation} (the lookups, through Postino's DNS servers, and their cache) and
 * {@link io.postino.dnsbl.Verdict} (the score, the refusal that names the listing zone, the
 * {@code dnswl} results of RFC 8904). The session decides when to ask and what to do with it.
 *
 * <p>Depends on: {@code dns}, {@code authres}, {@code smtp}, {@code config}.
 */
package io.postino.dnsbl;
