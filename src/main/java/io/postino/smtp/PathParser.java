package io.postino.smtp;

/**
 * Parses the path of MAIL FROM or RCPT TO, {@code <...>}, into a {@link MailAddress} (RFC 5321
 * section 4.1.2, with the UTF-8 of RFC 6531). An obsolete source route is checked and dropped; the
 * local part is kept exactly as sent, quotes and backslashes included. Every failure, the length
 * limits of section 4.5.3.1 included, is the one address-syntax reply given at construction.
 *
 * <p>One instance parses one path of one line; {@link #end()} then tells where the path ended.
 */
final class PathParser {

  static final int MAX_LOCAL_PART = 64;
  static final int MAX_DOMAIN = 255;
  static final int MAX_PATH = 256;

  private static final byte[] POSTMASTER = Ascii.bytes("POSTMASTER");

  private final byte[] b;
  private final int limit;
  private final SmtpReply error;
  private int pos;

  /**
   * @param start where the {@code <} is
   * @param limit end of the line
   * @param error the reply for a bad address
   */
  PathParser(byte[] b, int start, int limit, SmtpReply error) {
    this.b = b;
    this.pos = start;
    this.limit = limit;
    this.error = error;
  }

  /** Index just after the closing {@code >}. */
  int end() {
    return pos;
  }

  /** {@code Reverse-path = Path / "<>"}. */
  MailAddress reversePath() throws SmtpException {
    if (pos + 1 < limit && b[pos] == '<' && b[pos + 1] == '>') {
      pos += 2;
      return MailAddress.NULL_SENDER;
    }
    return path();
  }

  /** {@code Forward-path = Path / "<postmaster>"}, the bare postmaster kept as the client spelled it. */
  MailAddress forwardPath() throws SmtpException {
    int from = pos + 1;
    int to = from + POSTMASTER.length;
    if (to < limit && b[to] == '>' && Ascii.equalsIgnoreCase(b, from, to, POSTMASTER)) {
      pos = to + 1;
      return new MailAddress(Ascii.string(b, from, to), "");
    }
    return path();
  }

  /** {@code Path = "<" [ A-d-l ":" ] Mailbox ">"}. */
  private MailAddress path() throws SmtpException {
    int start = pos;
    expect('<');
    if (peek() == '@') {
      sourceRoute();
    }
    int localStart = pos;
    if (peek() == '"') {
      quotedString();
    } else {
      dotString();
    }
    int localEnd = pos;
    expect('@');
    int domainStart = pos;
    if (peek() == '[') {
      addressLiteral();
    } else {
      domain();
    }
    int domainEnd = pos;
    expect('>');
    if (localEnd - localStart > MAX_LOCAL_PART || domainEnd - domainStart > MAX_DOMAIN
        || pos - start > MAX_PATH) {
      throw new SmtpException(error);
    }
    return new MailAddress(Ascii.string(b, localStart, localEnd), Ascii.string(b, domainStart, domainEnd));
  }

  /** {@code A-d-l = At-domain *( "," At-domain )}, then the colon; all of it dropped. */
  private void sourceRoute() throws SmtpException {
    do {
      expect('@');
      domain();
    } while (accept(','));
    expect(':');
  }

  /** {@code Dot-string = Atom *("." Atom)}. */
  private void dotString() throws SmtpException {
    do {
      int atom = pos;
      pos = Ascii.skip(b, pos, limit, Ascii.ATEXT);
      if (pos == atom) {
        throw new SmtpException(error);
      }
    } while (accept('.'));
  }

  /** {@code Quoted-string = DQUOTE *(qtextSMTP / quoted-pairSMTP) DQUOTE}. */
  private void quotedString() throws SmtpException {
    pos++;
    while (true) {
      pos = Ascii.skip(b, pos, limit, Ascii.QTEXT);
      if (pos == limit) {
        throw new SmtpException(error);
      }
      byte c = b[pos];
      if (c == '"') {
        pos++;
        return;
      }
      // quoted-pairSMTP is a backslash and one printable ASCII character or space
      if (c != '\\' || pos + 1 == limit || b[pos + 1] < 0x20 || b[pos + 1] > 0x7e) {
        throw new SmtpException(error);
      }
      pos += 2;
    }
  }

  /** {@code Domain = sub-domain *("." sub-domain)}, a sub-domain not starting or ending with "-". */
  private void domain() throws SmtpException {
    do {
      int label = pos;
      pos = Ascii.skip(b, pos, limit, Ascii.LDH);
      if (pos == label || b[label] == '-' || b[pos - 1] == '-') {
        throw new SmtpException(error);
      }
    } while (accept('.'));
  }

  private void addressLiteral() throws SmtpException {
    int content = pos + 1;
    pos = Ascii.skip(b, content, limit, Ascii.DCONTENT);
    if (!AddressLiterals.isValid(b, content, pos)) {
      throw new SmtpException(error);
    }
    expect(']');
  }

  private int peek() {
    return pos < limit ? b[pos] : -1;
  }

  private boolean accept(char c) {
    if (pos < limit && b[pos] == c) {
      pos++;
      return true;
    }
    return false;
  }

  private void expect(char c) throws SmtpException {
    if (!accept(c)) {
      throw new SmtpException(error);
    }
  }
}
