package io.postino.smtp;

/** The SMTP command verbs Postino understands. */
public enum Verb {
  HELO, EHLO, MAIL, RCPT, DATA, BDAT, RSET, NOOP, QUIT, VRFY, EXPN, HELP, STARTTLS, AUTH
}
