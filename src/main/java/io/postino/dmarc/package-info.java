/**
 * DMARC verification (RFC 7489, with DMARCbis where it settles what 7489 left open):
 * {@link io.postino.dmarc.DmarcCheck} finds the author domain's policy through Postino's caching DNS
 * lookups, with the organisational domain from the Public Suffix List (Guava's
 * {@code InternetDomainName}), checks the alignment of the SPF and DKIM results, and says what
 * becomes of the message; DKIM's verification calls it ({@link io.postino.authres.AuthorPolicy})
 * once the signatures are checked.
 *
 * <p>Depends on: {@code dns}, {@code authres}, {@code config}.
 */
package io.postino.dmarc;
