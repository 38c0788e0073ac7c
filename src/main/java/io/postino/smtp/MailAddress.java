package io.postino.smtp;

import java.nio.charset.StandardCharsets;
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

  /**
   * Reads a mailbox, {@code local@domain}, with the syntax and length limits of an SMTP path
   * (RFC 5321 section 4.1.2, UTF-8 as RFC 6531 allows): exactly what a {@code RCPT TO} may carry,
   * so an address that did not come from an SMTP command can still go into one as it is.
   *
   * @throws IllegalArgumentException when it is not a mailbox; the null sender, a bare
   *     {@code postmaster} and a source route are not
   */
  public static MailAddress parse(String mailbox) {
    if (mailbox == null || mailbox.length() > PathParser.MAX_PATH) {
      throw new IllegalArgumentException("not a mail address (missing or too long)");
    }
    byte[] b = ("<" + mailbox + ">").getBytes(StandardCharsets.UTF_8);
    PathParser parser = new PathParser(b, 0, b.length, Replies.BAD_RECIPIENT_SYNTAX);
    try {
      MailAddress address = parser.reversePath();
      // equal only when nothing was dropped (a source route) or left over (text after the path)
      if (parser.end() == b.length && !address.isNullSender() && address.address().equals(mailbox)) {
        return address;
      }
    } catch (SmtpException e) {
      // the same refusal as any other malformed text
    }
    throw new IllegalArgumentException("not a valid mail address: " + mailbox);
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
