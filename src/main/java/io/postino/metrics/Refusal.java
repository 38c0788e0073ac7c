package io.postino.metrics;

/** Why the server refused a recipient, a message or a connection: the {@code reason} label. */
public enum Refusal {
  /** A recipient in a domain not delivered here, from a client that may not relay. */
  RELAY("relay"),
  /** A recipient that is not a known user of a local domain. */
  UNKNOWN_USER("unknown_user"),
  /** The application's policy hook ({@code postino.policy.rcpt} or {@code .data}) said no. */
  POLICY("policy"),
  /** Over {@code maxMessageSize}, declared or sent. */
  SIZE("size"),
  /** Content slower than {@code minDataRate}. */
  RATE("rate"),
  /** Too many connections, in all or from the client's address. */
  CONNECTIONS("connections"),
  /** Too many errors in the session. */
  ERRORS("errors"),
  /** A client that talked before the greeting. */
  EARLY_TALKER("early_talker"),
  /** AUTH needed, failed too often, or a sender the user may not use. */
  AUTH("auth"),
  /** No room: the spool's free-space reserve, a full disk, or the client's spool budget. */
  STORAGE("storage"),
  /** Content refused as malformed (bare line endings, over-long lines). */
  CONTENT("content"),
  /** A session that went silent or overran a deadline. */
  TIMEOUT("timeout"),
  /** A recipient from a client whose DNS block list score reached {@code smtp.dnsbl.threshold}. */
  DNSBL("dnsbl"),
  /** Sender authentication: SPF at MAIL FROM, DMARC at the end of the content. */
  SENDER_AUTH("sender_auth"),
  /** A PROXY protocol header from a peer that is not a trusted proxy. */
  PROXY("proxy");

  private final String label;

  Refusal(String label) {
    this.label = label;
  }

  /** The value of the {@code reason} label. */
  public String label() {
    return label;
  }
}
