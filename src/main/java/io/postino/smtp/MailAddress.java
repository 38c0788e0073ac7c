package io.postino.smtp;

import java.util.Locale;

/**
 * A mailbox from an SMTP path: {@code local-part@domain}, as received (RFC 5321 section 4.1.2).
 * The local part keeps its quoting exactly as the client sent it. The domain is a host name (kept
 * as sent; compare with {@link #domainLowerCase()}) or an address literal such as
 * {@code [192.0.2.1]} or {@code [IPv6:2001:db8::1]}.
 *
 * <p>Two special values: the null reverse path {@code <>} ({@link #NULL_SENDER}) and the bare
 * {@code <postmaster>} recipient (local part {@code postmaster}, empty domain).
 */
public record MailAddress(String localPart, String domain) {

  /** The null reverse path {@code <>}: bounces and other notifications are sent from it. */
  public static final MailAddress NULL_SENDER = new MailAddress("", "");

  public MailAddress {
    if (localPart == null || domain == null) {
      throw new NullPointerException("localPart and domain");
    }
  }

  public boolean isNullSender() {
    return localPart.isEmpty() && domain.isEmpty();
  }

  /** The bare {@code <postmaster>} of RFC 5321 section 4.5.1, with no domain. */
  public boolean isBarePostmaster() {
    return domain.isEmpty() && localPart.equalsIgnoreCase("postmaster");
  }

  public boolean isAddressLiteral() {
    return domain.startsWith("[");
  }

  public String domainLowerCase() {
    return domain.toLowerCase(Locale.ROOT);
  }

  /** True when any character is outside US-ASCII: needs SMTPUTF8. */
  public boolean isInternationalized() {
    for (int i = 0; i < localPart.length(); i++) {
      if (localPart.charAt(i) > 0x7f) {
        return true;
      }
    }
    for (int i = 0; i < domain.length(); i++) {
      if (domain.charAt(i) > 0x7f) {
        return true;
      }
    }
    return false;
  }

  /** {@code local@domain}, {@code postmaster}, or the empty string for the null sender. */
  public String address() {
    if (domain.isEmpty()) {
      return localPart;
    }
    return localPart + "@" + domain;
  }

  /** The path form used in replies and headers: {@code <local@domain>}. */
  public String path() {
    return "<" + address() + ">";
  }

  @Override
  public String toString() {
    return path();
  }
}
