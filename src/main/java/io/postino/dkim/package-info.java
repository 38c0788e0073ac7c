/**
 * DKIM (RFC 6376, RFC 8463): {@link io.postino.dkim.DkimIntake} decides which messages are signed
 * and which verified, and does it as each streams into the spool (a
 * {@link io.postino.spool.LeadingHeaders} whose signatures, or Authentication-Results, go in front
 * of the content at commit): signing with {@code rsa-sha256} and {@code ed25519-sha256} keys from
 * PEM files that are watched and reloaded, verification with key records fetched through
 * Postino's DNS servers and cached, and the validation of the message's ARC chain (RFC 8617,
 * {@link io.postino.dkim.ArcVerification}, with the same keys and code). The canonicalisation
 * ({@link io.postino.dkim.Canonicalization}, {@link io.postino.dkim.BodyHash}) and the signature
 * ({@link io.postino.dkim.SignatureBuilder}) are pure code over octets; the key record published in
 * DNS is {@link io.postino.dkim.KeyRecord}.
 *
 * <p>Depends on: {@code spool}, {@code dns}, {@code files}, {@code config}, {@code authres}, {@code mime}.
 */
package io.postino.dkim;
