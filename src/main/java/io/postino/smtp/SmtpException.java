package io.postino.smtp;

/**
 * A protocol error with the reply the peer should get. Stackless: it is thrown on the hot path
 * for ordinary client mistakes, where a stack trace costs much and tells nothing.
 */
public final class SmtpException extends Exception {

  private static final long serialVersionUID = 1L;

  private final transient SmtpReply reply;

  public SmtpException(SmtpReply reply) {
    super(reply.toString(), null, false, false);
    this.reply = reply;
  }

  public SmtpReply reply() {
    return reply;
  }
}
