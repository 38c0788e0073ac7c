package io.postino.server;

import java.util.Locale;

/**
 * What kind of port a listener is, and so which rules its sessions follow. One session class
 * serves them all; only these rules differ.
 */
public enum ListenerPolicy {

  /** Port 25 (RFC 5321): mail from anyone for local domains; relay for trusted or authenticated clients. */
  SMTP(false, false, false),

  /** Port 587 (RFC 6409): authenticated users only; missing Message-ID and Date are added. */
  SUBMISSION(false, true, true),

  /** Port 465 (RFC 8314): submission over TLS from the first byte. */
  SMTPS(true, true, true);

  private final boolean implicitTls;
  private final boolean requireAuth;
  private final boolean completeHeaders;

  ListenerPolicy(boolean implicitTls, boolean requireAuth, boolean completeHeaders) {
    this.implicitTls = implicitTls;
    this.requireAuth = requireAuth;
    this.completeHeaders = completeHeaders;
  }

  /** The listener's name in metrics: {@code smtp}, {@code submission}, {@code smtps}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** TLS starts with the connection (no STARTTLS). */
  public boolean implicitTls() {
    return implicitTls;
  }

  /** MAIL is refused (530 5.7.0) until the client has authenticated. */
  public boolean requireAuth() {
    return requireAuth;
  }

  /** Message-ID and Date header fields are added when the message has none. */
  public boolean completeHeaders() {
    return completeHeaders;
  }
}
