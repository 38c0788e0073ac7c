package io.postino.delivery;

import io.postino.tlspolicy.TlsPolicy;

/**
 * What a session to a host must be: SMTP or LMTP (RFC 2033: LHLO instead of EHLO), the name to
 * greet with, its TLS policy, and the credentials to authenticate with (or null).
 * Part of the key under which connections are kept for reuse, so a session is only ever reused
 * for mail that asks no more of it.
 */
record SessionPolicy(boolean lmtp, String heloName, TlsPolicy tls, OutboundOptions.Credentials credentials) {

  /** Whether a failed TLS handshake may be tried again in plaintext (RFC 7435 opportunistic TLS only). */
  boolean fallsBackToPlaintext() {
    return !tls.requiresTls() && !tls.authenticates();
  }
}
