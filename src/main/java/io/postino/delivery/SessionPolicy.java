package io.postino.delivery;

/**
 * What a session to a host must be: SMTP or LMTP (RFC 2033: LHLO instead of EHLO), the name to
 * greet with, whether to use STARTTLS, whether TLS is mandatory and its certificate verified, and
 * the credentials to authenticate with (or null).
 * Part of the key under which connections are kept for reuse, so a session is only ever reused
 * for mail that asks no more of it.
 */
record SessionPolicy(boolean lmtp, String heloName, boolean tryTls, boolean requireTls, boolean verify,
    OutboundOptions.Credentials credentials) {
}
