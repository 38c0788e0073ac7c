package io.postino.smtp;

import java.util.Locale;
import java.util.Objects;

/**
 * Parses one SMTP command line (without its CRLF) into an {@link SmtpCommand}. Pure and
 * stateless: what a command means in the session's state is the session's business.
 *
 * <p>The line is checked once for CR, LF and NUL (refused wherever they are) and, only when it has
 * octets above 0x7f, for valid UTF-8; after that every step works on the bytes, with no regular
 * expression and no string built but the values returned. Verbs and keywords are case-insensitive;
 * the verb is followed by spaces, trailing spaces and tabs are ignored. Leniencies, as in Postfix:
 * one space after {@code FROM:} or {@code TO:}; the HELO/EHLO argument is any printable text, words
 * after the first kept with it.
 */
public final class CommandParser {

  // four-letter verbs as big-endian ints, so that one switch finds them (case labels must be constants)
  private static final int HELO = 'H' << 24 | 'E' << 16 | 'L' << 8 | 'O';
  private static final int EHLO = 'E' << 24 | 'H' << 16 | 'L' << 8 | 'O';
  private static final int MAIL = 'M' << 24 | 'A' << 16 | 'I' << 8 | 'L';
  private static final int RCPT = 'R' << 24 | 'C' << 16 | 'P' << 8 | 'T';
  private static final int DATA = 'D' << 24 | 'A' << 16 | 'T' << 8 | 'A';
  private static final int BDAT = 'B' << 24 | 'D' << 16 | 'A' << 8 | 'T';
  private static final int RSET = 'R' << 24 | 'S' << 16 | 'E' << 8 | 'T';
  private static final int NOOP = 'N' << 24 | 'O' << 16 | 'O' << 8 | 'P';
  private static final int QUIT = 'Q' << 24 | 'U' << 16 | 'I' << 8 | 'T';
  private static final int VRFY = 'V' << 24 | 'R' << 16 | 'F' << 8 | 'Y';
  private static final int EXPN = 'E' << 24 | 'X' << 16 | 'P' << 8 | 'N';
  private static final int HELP = 'H' << 24 | 'E' << 16 | 'L' << 8 | 'P';
  private static final int AUTH = 'A' << 24 | 'U' << 16 | 'T' << 8 | 'H';
  private static final byte[] STARTTLS = Ascii.bytes("STARTTLS");

  private static final byte[] FROM = Ascii.bytes("FROM:");
  private static final byte[] TO = Ascii.bytes("TO:");
  private static final byte[] LAST = Ascii.bytes("LAST");

  /** SASL mechanism names are at most 20 characters (RFC 4422 section 3.1). */
  private static final int MAX_MECHANISM = 20;

  private CommandParser() {
  }

  /**
   * Parses {@code line[off, off+len)}, the bytes of one command line without the CRLF.
   *
   * <p>The replies, from the catalogue: {@link Replies#BAD_CHARACTER} for CR, LF or NUL anywhere,
   * {@link Replies#BAD_UTF8}, {@link Replies#UNRECOGNIZED} for an empty line or unknown verb;
   * {@link Replies#HELO_SYNTAX}, {@link Replies#EHLO_SYNTAX}, {@link Replies#MAIL_SYNTAX},
   * {@link Replies#RCPT_SYNTAX}, {@link Replies#BDAT_SYNTAX} for a malformed command;
   * {@link Replies#BAD_SENDER_SYNTAX} and {@link Replies#BAD_RECIPIENT_SYNTAX} for a malformed or
   * over-long path; {@link Replies#UNSUPPORTED_PARAMETER} for an unknown ESMTP parameter;
   * {@link Replies#NO_ARGUMENTS} after DATA, RSET, QUIT or STARTTLS; {@link Replies#SYNTAX} for the
   * rest (a bad parameter value, a repeated parameter, VRFY or EXPN without argument, bad AUTH).
   *
   * @throws SmtpException with the reply to send when the line is not a valid command
   */
  public static SmtpCommand parse(byte[] line, int off, int len) throws SmtpException {
    Objects.checkFromIndexSize(off, len, line.length);
    int end = off + len;
    checkCharacters(line, off, end);
    while (end > off && (line[end - 1] == ' ' || line[end - 1] == '\t')) {
      end--;
    }
    int verbEnd = Ascii.indexOf(line, off, end, (byte) ' ');
    Verb verb = verb(line, off, verbEnd);
    if (verb == null) {
      throw new SmtpException(Replies.UNRECOGNIZED);
    }
    int arg = Ascii.skipSpaces(line, verbEnd, end);
    return switch (verb) {
      case HELO -> new SmtpCommand.Helo(hostname(line, arg, end, Replies.HELO_SYNTAX));
      case EHLO -> new SmtpCommand.Ehlo(hostname(line, arg, end, Replies.EHLO_SYNTAX));
      case MAIL -> mail(line, arg, end);
      case RCPT -> rcpt(line, arg, end);
      case DATA -> noArgument(SmtpCommand.DATA, arg, end);
      case RSET -> noArgument(SmtpCommand.RSET, arg, end);
      case QUIT -> noArgument(SmtpCommand.QUIT, arg, end);
      case STARTTLS -> noArgument(SmtpCommand.STARTTLS, arg, end);
      case NOOP -> SmtpCommand.NOOP;
      case HELP -> new SmtpCommand.Help(Ascii.string(line, arg, end));
      case VRFY -> new SmtpCommand.Vrfy(required(line, arg, end));
      case EXPN -> new SmtpCommand.Expn(required(line, arg, end));
      case BDAT -> bdat(line, arg, end);
      case AUTH -> auth(line, arg, end);
    };
  }

  /** Convenience for tests and tools: parses a line given as a string (no CRLF). */
  public static SmtpCommand parse(String line) throws SmtpException {
    byte[] b = line.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return parse(b, 0, b.length);
  }

  /**
   * Refuses CR, LF and NUL, which would let one line smuggle another command or cut a string
   * short further on, and invalid UTF-8.
   */
  private static void checkCharacters(byte[] b, int from, int end) throws SmtpException {
    int highBits = 0;
    for (int i = from; i < end; i++) {
      byte c = b[i];
      if (Ascii.isCrLfNul(c)) {
        throw new SmtpException(Replies.BAD_CHARACTER);
      }
      highBits |= c;
    }
    if (highBits < 0 && !Utf8.isValid(b, from, end)) {
      throw new SmtpException(Replies.BAD_UTF8);
    }
  }

  /** The verb of {@code b[from, to)} in any case, or null. */
  private static Verb verb(byte[] b, int from, int to) {
    if (to - from == 4) {
      // clearing bit 5 upper-cases a letter, and only letters map onto upper-case letters
      int key = (b[from] & 0xdf) << 24 | (b[from + 1] & 0xdf) << 16 | (b[from + 2] & 0xdf) << 8
          | b[from + 3] & 0xdf;
      return switch (key) {
        case HELO -> Verb.HELO;
        case EHLO -> Verb.EHLO;
        case MAIL -> Verb.MAIL;
        case RCPT -> Verb.RCPT;
        case DATA -> Verb.DATA;
        case BDAT -> Verb.BDAT;
        case RSET -> Verb.RSET;
        case NOOP -> Verb.NOOP;
        case QUIT -> Verb.QUIT;
        case VRFY -> Verb.VRFY;
        case EXPN -> Verb.EXPN;
        case HELP -> Verb.HELP;
        case AUTH -> Verb.AUTH;
        default -> null;
      };
    }
    return Ascii.equalsIgnoreCase(b, from, to, STARTTLS) ? Verb.STARTTLS : null;
  }

  private static String hostname(byte[] b, int from, int to, SmtpReply syntax) throws SmtpException {
    if (from == to || Ascii.skip(b, from, to, Ascii.PRINTABLE) != to) {
      throw new SmtpException(syntax);
    }
    return Ascii.string(b, from, to);
  }

  private static SmtpCommand noArgument(SmtpCommand command, int from, int to) throws SmtpException {
    if (from != to) {
      throw new SmtpException(Replies.NO_ARGUMENTS);
    }
    return command;
  }

  private static String required(byte[] b, int from, int to) throws SmtpException {
    if (from == to) {
      throw new SmtpException(Replies.SYNTAX);
    }
    return Ascii.string(b, from, to);
  }

  /** {@code MAIL FROM:<reverse-path> [params]}. */
  private static SmtpCommand mail(byte[] b, int from, int to) throws SmtpException {
    int path = pathStart(b, from, to, FROM, Replies.MAIL_SYNTAX);
    PathParser parser = new PathParser(b, path, to, Replies.BAD_SENDER_SYNTAX);
    MailAddress sender = parser.reversePath();
    int params = parametersStart(b, parser.end(), to, Replies.MAIL_SYNTAX);
    return new SmtpCommand.Mail(sender, EsmtpParameters.mail(b, params, to));
  }

  /** {@code RCPT TO:<forward-path> [params]}. */
  private static SmtpCommand rcpt(byte[] b, int from, int to) throws SmtpException {
    int path = pathStart(b, from, to, TO, Replies.RCPT_SYNTAX);
    PathParser parser = new PathParser(b, path, to, Replies.BAD_RECIPIENT_SYNTAX);
    MailAddress recipient = parser.forwardPath();
    int params = parametersStart(b, parser.end(), to, Replies.RCPT_SYNTAX);
    return new SmtpCommand.Rcpt(recipient, EsmtpParameters.rcpt(b, params, to));
  }

  /** Where the {@code <} is after {@code FROM:} or {@code TO:} and at most one space. */
  private static int pathStart(byte[] b, int from, int to, byte[] keyword, SmtpReply syntax)
      throws SmtpException {
    if (!Ascii.startsWithIgnoreCase(b, from, to, keyword)) {
      throw new SmtpException(syntax);
    }
    int at = from + keyword.length;
    if (at < to && b[at] == ' ') {
      at++;
    }
    if (at == to || b[at] != '<') {
      throw new SmtpException(syntax);
    }
    return at;
  }

  /** The path must be followed by the end of the line or by a space and parameters. */
  private static int parametersStart(byte[] b, int at, int to, SmtpReply syntax) throws SmtpException {
    if (at < to && b[at] != ' ') {
      throw new SmtpException(syntax);
    }
    return at;
  }

  /** {@code BDAT chunk-size [LAST]} (RFC 3030). */
  private static SmtpCommand bdat(byte[] b, int from, int to) throws SmtpException {
    int sizeEnd = Ascii.indexOf(b, from, to, (byte) ' ');
    long size = Ascii.parseDigits(b, from, sizeEnd);
    int rest = Ascii.skipSpaces(b, sizeEnd, to);
    boolean last = rest < to;
    if (size < 0 || (last && !Ascii.equalsIgnoreCase(b, rest, to, LAST))) {
      throw new SmtpException(Replies.BDAT_SYNTAX);
    }
    return new SmtpCommand.Bdat(size, last);
  }

  /** {@code AUTH mechanism [initial-response]} (RFC 4954 section 4). */
  private static SmtpCommand auth(byte[] b, int from, int to) throws SmtpException {
    int mechanismEnd = Ascii.indexOf(b, from, to, (byte) ' ');
    int length = mechanismEnd - from;
    if (length == 0 || length > MAX_MECHANISM || !isMechanism(b, from, mechanismEnd)) {
      throw new SmtpException(Replies.SYNTAX);
    }
    String mechanism = Ascii.string(b, from, mechanismEnd).toUpperCase(Locale.ROOT);
    int response = Ascii.skipSpaces(b, mechanismEnd, to);
    if (response == to) {
      return new SmtpCommand.Auth(mechanism, null);
    }
    if (Ascii.skip(b, response, to, Ascii.GRAPHIC) != to) {
      throw new SmtpException(Replies.SYNTAX);
    }
    return new SmtpCommand.Auth(mechanism, Ascii.string(b, response, to));
  }

  /** {@code sasl-mech = 1*20(ALPHA / DIGIT / "-" / "_")}, in any case. */
  private static boolean isMechanism(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != '_' && !Ascii.is(b[i], Ascii.KEYWORD)) {
        return false;
      }
    }
    return true;
  }
}
