/**
 * TLS for the listeners: certificates and keys from PEM files (watched and reloaded), the
 * self-signed certificate made at first start, and the server-side handshake used by STARTTLS and
 * implicit TLS.
 *
 * <p>Knows nothing of sessions: the session package calls it.
 *
 * <p>Depends on: {@code files}, {@code config}, {@code smtp}.
 */
package io.postino.server.tls;
