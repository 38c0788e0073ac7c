package io.postino.smtp;

/**
 * A parsed SMTP command line (RFC 5321 section 4.1.1 and its extensions). Argument-free commands
 * are singletons.
 */
public sealed interface SmtpCommand {

  Verb verb();

  record Helo(String domain) implements SmtpCommand {
    public Verb verb() {
      return Verb.HELO;
    }
  }

  record Ehlo(String domain) implements SmtpCommand {
    public Verb verb() {
      return Verb.EHLO;
    }
  }

  /** {@code MAIL FROM:<reverse-path> [params]}; the null sender is {@link MailAddress#NULL_SENDER}. */
  record Mail(MailAddress sender, MailParameters parameters) implements SmtpCommand {
    public Verb verb() {
      return Verb.MAIL;
    }
  }

  /** {@code RCPT TO:<forward-path> [params]}; {@code <postmaster>} has an empty domain. */
  record Rcpt(MailAddress recipient, RcptParameters parameters) implements SmtpCommand {
    public Verb verb() {
      return Verb.RCPT;
    }
  }

  /** {@code BDAT size [LAST]} (RFC 3030). */
  record Bdat(long size, boolean last) implements SmtpCommand {
    public Verb verb() {
      return Verb.BDAT;
    }
  }

  /** {@code VRFY string}. */
  record Vrfy(String argument) implements SmtpCommand {
    public Verb verb() {
      return Verb.VRFY;
    }
  }

  /** {@code EXPN string}. */
  record Expn(String argument) implements SmtpCommand {
    public Verb verb() {
      return Verb.EXPN;
    }
  }

  /** {@code HELP [string]}; the argument is empty when absent. */
  record Help(String argument) implements SmtpCommand {
    public Verb verb() {
      return Verb.HELP;
    }
  }

  /** {@code NOOP [string]}: the argument is ignored. */
  record Noop() implements SmtpCommand {
    public Verb verb() {
      return Verb.NOOP;
    }
  }

  /**
   * {@code AUTH mechanism [initial-response]} (RFC 4954). The mechanism is upper-cased; the
   * initial response is the base64 text as sent ({@code =} for an empty one), or null.
   */
  record Auth(String mechanism, String initialResponse) implements SmtpCommand {
    public Verb verb() {
      return Verb.AUTH;
    }
  }

  record Data() implements SmtpCommand {
    public Verb verb() {
      return Verb.DATA;
    }
  }

  record Rset() implements SmtpCommand {
    public Verb verb() {
      return Verb.RSET;
    }
  }

  record Quit() implements SmtpCommand {
    public Verb verb() {
      return Verb.QUIT;
    }
  }

  record StartTls() implements SmtpCommand {
    public Verb verb() {
      return Verb.STARTTLS;
    }
  }

  Data DATA = new Data();
  Rset RSET = new Rset();
  Quit QUIT = new Quit();
  Noop NOOP = new Noop();
  StartTls STARTTLS = new StartTls();
}
