package io.postino.smtp;

import java.util.EnumSet;
import java.util.Set;

/**
 * Parses the ESMTP parameters after the path of MAIL FROM and RCPT TO: space-separated
 * {@code keyword[=value]} (RFC 5321 section 4.1.2), keywords in any case. A malformed parameter, a
 * bad value or a repeated keyword is {@link Replies#SYNTAX}; a well-formed keyword we do not know is
 * {@link Replies#UNSUPPORTED_PARAMETER}.
 */
final class EsmtpParameters {

  private static final byte[] SIZE = Ascii.bytes("SIZE");
  private static final byte[] BODY = Ascii.bytes("BODY");
  private static final byte[] SMTPUTF8 = Ascii.bytes("SMTPUTF8");
  private static final byte[] AUTH = Ascii.bytes("AUTH");
  private static final byte[] RET = Ascii.bytes("RET");
  private static final byte[] ENVID = Ascii.bytes("ENVID");
  private static final byte[] REQUIRETLS = Ascii.bytes("REQUIRETLS");
  private static final byte[] NOTIFY = Ascii.bytes("NOTIFY");
  private static final byte[] ORCPT = Ascii.bytes("ORCPT");

  private static final byte[] NEVER = Ascii.bytes("NEVER");
  private static final byte[] FULL = Ascii.bytes("FULL");
  private static final byte[] HDRS = Ascii.bytes("HDRS");
  private static final byte[] NULL_MAILBOX = Ascii.bytes("<>");

  private static final MailParameters.Body[] BODIES = MailParameters.Body.values();
  private static final byte[][] BODY_KEYWORDS = new byte[BODIES.length][];
  private static final RcptParameters.Notify[] NOTIFICATIONS = RcptParameters.Notify.values();
  private static final byte[][] NOTIFY_KEYWORDS = new byte[NOTIFICATIONS.length][];

  static {
    for (int i = 0; i < BODIES.length; i++) {
      BODY_KEYWORDS[i] = Ascii.bytes(BODIES[i].keyword());
    }
    for (int i = 0; i < NOTIFICATIONS.length; i++) {
      NOTIFY_KEYWORDS[i] = Ascii.bytes(NOTIFICATIONS[i].name());
    }
  }

  private EsmtpParameters() {
  }

  /** One {@code keyword[=value]}: the bounds of its parts in the line. */
  private static final class Parameter {
    int keywordEnd;
    int valueStart;
    int end;

    boolean hasValue() {
      return valueStart >= 0;
    }
  }

  /** The MAIL FROM parameters in {@code b[from, to)}, which is empty or starts with a space. */
  static MailParameters mail(byte[] b, int from, int to) throws SmtpException {
    long size = -1;
    MailParameters.Body body = MailParameters.Body.SEVEN_BIT;
    boolean smtpUtf8 = false;
    String auth = null;
    MailParameters.Ret ret = null;
    String envId = null;
    boolean requireTls = false;
    int seen = 0;
    Parameter p = new Parameter();
    for (int at = Ascii.skipSpaces(b, from, to); at < to; at = Ascii.skipSpaces(b, p.end, to)) {
      next(b, at, to, p);
      int bit;
      if (Ascii.equalsIgnoreCase(b, at, p.keywordEnd, SIZE)) {
        bit = 1;
        size = Ascii.parseDigits(b, value(p), p.end);
        check(size >= 0);
      } else if (Ascii.equalsIgnoreCase(b, at, p.keywordEnd, BODY)) {
        bit = 2;
        body = BODIES[keyword(b, value(p), p.end, BODY_KEYWORDS)];
      } else if (Ascii.equalsIgnoreCase(b, at, p.keywordEnd, SMTPUTF8)) {
        bit = 4;
        check(!p.hasValue());
        smtpUtf8 = true;
      } else if (Ascii.equalsIgnoreCase(b, at, p.keywordEnd, AUTH)) {
        bit = 8;
        int v = value(p);
        auth = Ascii.equalsIgnoreCase(b, v, p.end, NULL_MAILBOX) ? "<>" : xtext(b, v, p.end);
      } else if (Ascii.equalsIgnoreCase(b, at, p.keywordEnd, RET)) {
        bit = 16;
        int v = value(p);
        if (Ascii.equalsIgnoreCase(b, v, p.end, FULL)) {
          ret = MailParameters.Ret.FULL;
        } else {
          check(Ascii.equalsIgnoreCase(b, v, p.end, HDRS));
          ret = MailParameters.Ret.HDRS;
        }
      } else if (Ascii.equalsIgnoreCase(b, at, p.keywordEnd, ENVID)) {
        bit = 32;
        envId = xtext(b, value(p), p.end);
      } else if (Ascii.equalsIgnoreCase(b, at, p.keywordEnd, REQUIRETLS)) {
        bit = 64;
        check(!p.hasValue());
        requireTls = true;
      } else {
        throw new SmtpException(Replies.UNSUPPORTED_PARAMETER);
      }
      check((seen & bit) == 0);
      seen |= bit;
    }
    if (seen == 0) {
      return MailParameters.NONE;
    }
    return new MailParameters(size, body, smtpUtf8, auth, ret, envId, requireTls);
  }

  /** The RCPT TO parameters in {@code b[from, to)}, which is empty or starts with a space. */
  static RcptParameters rcpt(byte[] b, int from, int to) throws SmtpException {
    Set<RcptParameters.Notify> notify = Set.of();
    String orcpt = null;
    int seen = 0;
    Parameter p = new Parameter();
    for (int at = Ascii.skipSpaces(b, from, to); at < to; at = Ascii.skipSpaces(b, p.end, to)) {
      next(b, at, to, p);
      int bit;
      if (Ascii.equalsIgnoreCase(b, at, p.keywordEnd, NOTIFY)) {
        bit = 1;
        notify = notify(b, value(p), p.end);
      } else if (Ascii.equalsIgnoreCase(b, at, p.keywordEnd, ORCPT)) {
        bit = 2;
        orcpt = orcpt(b, value(p), p.end);
      } else {
        throw new SmtpException(Replies.UNSUPPORTED_PARAMETER);
      }
      check((seen & bit) == 0);
      seen |= bit;
    }
    if (seen == 0) {
      return RcptParameters.NONE;
    }
    return new RcptParameters(notify, orcpt);
  }

  /**
   * Reads the parameter starting at {@code at} into {@code p}: {@code esmtp-keyword = (ALPHA /
   * DIGIT) *(ALPHA / DIGIT / "-")}, then optionally {@code "=" esmtp-value}.
   */
  private static void next(byte[] b, int at, int to, Parameter p) throws SmtpException {
    int end = Ascii.indexOf(b, at, to, (byte) ' ');
    int keywordEnd = Ascii.indexOf(b, at, end, (byte) '=');
    check(keywordEnd > at && b[at] != '-' && Ascii.skip(b, at, keywordEnd, Ascii.KEYWORD) == keywordEnd);
    p.keywordEnd = keywordEnd;
    p.end = end;
    if (keywordEnd == end) {
      p.valueStart = -1;
      return;
    }
    p.valueStart = keywordEnd + 1;
    check(p.valueStart < end && Ascii.skip(b, p.valueStart, end, Ascii.VALUE) == end);
  }

  /** Where the value starts: every parameter we know but SMTPUTF8 and REQUIRETLS must have one. */
  private static int value(Parameter p) throws SmtpException {
    check(p.hasValue());
    return p.valueStart;
  }

  /** The index in {@code keywords} equal to {@code b[from, to)} ignoring case. */
  private static int keyword(byte[] b, int from, int to, byte[][] keywords) throws SmtpException {
    for (int i = 0; i < keywords.length; i++) {
      if (Ascii.equalsIgnoreCase(b, from, to, keywords[i])) {
        return i;
      }
    }
    throw new SmtpException(Replies.SYNTAX);
  }

  /** {@code NEVER / 1#(SUCCESS / FAILURE / DELAY)} (RFC 3461 section 4.1). */
  private static Set<RcptParameters.Notify> notify(byte[] b, int from, int to) throws SmtpException {
    if (Ascii.equalsIgnoreCase(b, from, to, NEVER)) {
      return Set.of(RcptParameters.Notify.NEVER);
    }
    EnumSet<RcptParameters.Notify> set = EnumSet.noneOf(RcptParameters.Notify.class);
    int at = from;
    while (true) {
      int comma = Ascii.indexOf(b, at, to, (byte) ',');
      RcptParameters.Notify n = NOTIFICATIONS[keyword(b, at, comma, NOTIFY_KEYWORDS)];
      check(n != RcptParameters.Notify.NEVER);
      set.add(n);
      if (comma == to) {
        return set;
      }
      at = comma + 1;
    }
  }

  /** {@code addr-type ";" xtext} (RFC 3461 section 4.2), kept as {@code addr-type;decoded}. */
  private static String orcpt(byte[] b, int from, int to) throws SmtpException {
    int semicolon = Ascii.indexOf(b, from, to, (byte) ';');
    check(semicolon > from && semicolon + 1 < to
        && Ascii.skip(b, from, semicolon, Ascii.ATEXT) == semicolon
        && Ascii.skip(b, from, semicolon, Ascii.GRAPHIC) == semicolon); // atext, ASCII only
    return Ascii.string(b, from, semicolon + 1) + xtext(b, semicolon + 1, to);
  }

  /**
   * Decodes xtext (RFC 3461 section 4): {@code +XX} stands for the octet of hex value XX. The
   * decoded text must be UTF-8 without controls: these values end up in headers and DSNs, where an
   * encoded CR or LF would let a client inject lines.
   */
  private static String xtext(byte[] b, int from, int to) throws SmtpException {
    int plus = Ascii.indexOf(b, from, to, (byte) '+');
    if (plus == to) {
      return Ascii.string(b, from, to);
    }
    byte[] out = new byte[to - from];
    int n = 0;
    for (int i = from; i < to; i++) {
      byte c = b[i];
      if (c == '+') {
        check(i + 2 < to);
        int hi = Ascii.hexValue(b[i + 1]);
        int lo = Ascii.hexValue(b[i + 2]);
        check(hi >= 0 && lo >= 0);
        c = (byte) (hi << 4 | lo);
        check((c & 0xff) >= 0x20 && c != 0x7f);
        i += 2;
      }
      out[n++] = c;
    }
    check(Utf8.isValid(out, 0, n));
    return Ascii.string(out, 0, n);
  }

  private static void check(boolean ok) throws SmtpException {
    if (!ok) {
      throw new SmtpException(Replies.SYNTAX);
    }
  }
}
