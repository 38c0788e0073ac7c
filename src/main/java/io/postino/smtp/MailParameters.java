package io.postino.smtp;

/**
 * ESMTP parameters of {@code MAIL FROM}.
 *
 * @param size   declared message size in octets (RFC 1870), or -1 when absent
 * @param body   BODY= (RFC 6152), {@link Body#SEVEN_BIT} when absent
 * @param smtpUtf8 SMTPUTF8 given (RFC 6531)
 * @param auth   AUTH= mailbox, xtext-decoded (RFC 4954), or null; {@code <>} when the client sent it
 * @param ret    RET= (RFC 3461), or null
 * @param envId  ENVID=, xtext-decoded (RFC 3461), or null
 * @param requireTls REQUIRETLS given (RFC 8689): every hop must be TLS with an authenticated
 *               server that offers REQUIRETLS, or the message is returned
 */
public record MailParameters(long size, Body body, boolean smtpUtf8, String auth, Ret ret, String envId,
    boolean requireTls) {

  public static final MailParameters NONE = new MailParameters(-1, Body.SEVEN_BIT, false, null, null, null);

  /** Parameters without REQUIRETLS. */
  public MailParameters(long size, Body body, boolean smtpUtf8, String auth, Ret ret, String envId) {
    this(size, body, smtpUtf8, auth, ret, envId, false);
  }

  /** The same parameters with REQUIRETLS given or not. */
  public MailParameters withRequireTls(boolean required) {
    return new MailParameters(size, body, smtpUtf8, auth, ret, envId, required);
  }

  public enum Body {
    SEVEN_BIT("7BIT"), EIGHT_BIT_MIME("8BITMIME"), BINARY_MIME("BINARYMIME");

    private final String keyword;

    Body(String keyword) {
      this.keyword = keyword;
    }

    public String keyword() {
      return keyword;
    }
  }

  /** DSN return content (RFC 3461 section 4.3). */
  public enum Ret { FULL, HDRS }
}
