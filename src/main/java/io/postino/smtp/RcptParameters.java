package io.postino.smtp;

import java.util.Set;

/**
 * ESMTP parameters of {@code RCPT TO} (RFC 3461 DSN): which reports the recipient's sender asked for,
 * and the original address to name in them; kept with the message and passed on to a next hop that
 * offers DSN.
 *
 * @param notifications NOTIFY= values; empty when absent; {@code {NEVER}} alone when NEVER
 * @param orcpt  ORCPT= as {@code addr-type;xtext-decoded-address}, or null
 */
public record RcptParameters(Set<Notify> notifications, String orcpt) {

  public static final RcptParameters NONE = new RcptParameters(Set.of(), null);

  public RcptParameters {
    notifications = Set.copyOf(notifications);
  }

  public enum Notify { NEVER, SUCCESS, FAILURE, DELAY }
}
