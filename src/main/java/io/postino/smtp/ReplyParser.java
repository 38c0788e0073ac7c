package io.postino.smtp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses what an SMTP server sends into {@link SmtpReply} values, for the client side: input in
 * chunks of any size, multi-line replies ({@code 250-first} ... {@code 250 last}), and RFC 2034
 * enhanced status codes taken off each line that carries them.
 *
 * <p>Lenient where real servers are sloppy: a line may end with a bare LF, a final line may be
 * just the three digits, text may be any bytes (decoded as UTF-8, undecodable octets replaced).
 * Strict where leniency would let the peer confuse us: the code must be three digits from 200 to
 * 599, the fourth octet a space or a hyphen, every line of one reply the same code, a line at
 * most {@code maxLineLength} octets, a reply at most {@code maxLines} lines. The first violation
 * is reported once to {@link Listener#malformed} and everything after it is ignored: a client
 * that cannot tell where a reply ends must drop the connection.
 *
 * <p>SECURITY: reply text goes into logs, bounce messages and event-bus JSON, so control
 * characters in it (a CR inside a line, NUL, escape sequences...) are replaced by {@code ?}.
 *
 * <p>Not thread-safe; one instance per connection.
 */
public final class ReplyParser {

  /** RFC 5321 allows 512 octets; real servers send longer lines, which cost nothing to accept. */
  public static final int DEFAULT_MAX_LINE_LENGTH = 8192;
  /** Far above any EHLO reply or multi-line rejection. */
  public static final int DEFAULT_MAX_LINES = 200;

  /** Receives the parser's results, in the order of the input. */
  public interface Listener {
    void reply(SmtpReply reply);

    /** The input is not SMTP replies; nothing more is reported after this. */
    void malformed(String reason);
  }

  private final Listener listener;
  private final int maxLineLength;
  private final int maxLines;

  private byte[] line = new byte[256];
  private int lineLength;
  private final List<String> lines = new ArrayList<>();
  private int code;
  private boolean failed;

  public ReplyParser(Listener listener) {
    this(listener, DEFAULT_MAX_LINE_LENGTH, DEFAULT_MAX_LINES);
  }

  public ReplyParser(Listener listener, int maxLineLength, int maxLines) {
    if (maxLineLength < 3 || maxLines < 1) {
      throw new IllegalArgumentException("maxLineLength >= 3 and maxLines >= 1");
    }
    this.listener = listener;
    this.maxLineLength = maxLineLength;
    this.maxLines = maxLines;
  }

  /** Parses the next chunk; complete replies are passed to the listener before this returns. */
  public void feed(byte[] bytes, int offset, int length) {
    int end = offset + length;
    int start = offset;
    for (int i = offset; i < end && !failed; i++) {
      if (bytes[i] == '\n') {
        if (!append(bytes, start, i - start)) {
          return;
        }
        endOfLine();
        start = i + 1;
      }
    }
    if (!failed && start < end) {
      append(bytes, start, end - start);
    }
  }

  /**
   * True when part of a reply has been received but not its end: after STARTTLS's 220 this means
   * the peer sent more than one reply in plaintext, which a client must not believe.
   */
  public boolean hasPartialReply() {
    return lineLength > 0 || !lines.isEmpty();
  }

  /** True once malformed input was seen. */
  public boolean failed() {
    return failed;
  }

  private boolean append(byte[] bytes, int offset, int length) {
    // the CR of a CRLF may still come, so one octet over the limit is allowed until the line ends
    if (lineLength + length > maxLineLength + 1) {
      fail("reply line longer than " + maxLineLength + " octets");
      return false;
    }
    if (lineLength + length > line.length) {
      byte[] bigger = new byte[Math.min(maxLineLength + 1, Math.max(line.length * 2, lineLength + length))];
      System.arraycopy(line, 0, bigger, 0, lineLength);
      line = bigger;
    }
    System.arraycopy(bytes, offset, line, lineLength, length);
    lineLength += length;
    return true;
  }

  private void endOfLine() {
    int n = lineLength;
    lineLength = 0;
    if (n > 0 && line[n - 1] == '\r') {
      n--;
    }
    if (n > maxLineLength) {
      fail("reply line longer than " + maxLineLength + " octets");
      return;
    }
    if (n < 3 || !isDigit(line[0]) || !isDigit(line[1]) || !isDigit(line[2])) {
      fail("reply line does not start with a three-digit code");
      return;
    }
    int lineCode = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (lineCode < 200 || lineCode > 599) {
      fail("reply code out of range: " + lineCode);
      return;
    }
    boolean last = n == 3 || line[3] == ' ';
    if (!last && line[3] != '-') {
      fail("reply code not followed by a space or a hyphen");
      return;
    }
    if (!lines.isEmpty() && lineCode != code) {
      fail("continuation line with another code: " + code + " then " + lineCode);
      return;
    }
    if (lines.size() == maxLines) {
      fail("reply longer than " + maxLines + " lines");
      return;
    }
    code = lineCode;
    lines.add(n <= 4 ? "" : text(line, 4, n));
    if (last) {
      SmtpReply reply = build(code, lines);
      lines.clear();
      listener.reply(reply);
    }
  }

  private void fail(String reason) {
    failed = true;
    lines.clear();
    lineLength = 0;
    listener.malformed(reason);
  }

  private static boolean isDigit(byte b) {
    return b >= '0' && b <= '9';
  }

  /** Decodes the text of a line, control characters replaced. */
  private static String text(byte[] bytes, int from, int to) {
    String s = new String(bytes, from, to - from, StandardCharsets.UTF_8);
    StringBuilder clean = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        if (clean == null) {
          clean = new StringBuilder(s);
        }
        clean.setCharAt(i, '?');
      }
    }
    return clean == null ? s : clean.toString();
  }

  /**
   * The reply with its enhanced status code, when the first line starts with one whose class
   * matches the reply code (RFC 2034 section 3); that prefix is removed from every line that has it.
   */
  static SmtpReply build(int code, List<String> lines) {
    String first = lines.get(0);
    EnhancedStatus status = null;
    String prefix = null;
    if (!first.isEmpty() && first.charAt(0) == (char) ('0' + code / 100)) {
      int space = first.indexOf(' ');
      String token = space < 0 ? first : first.substring(0, space);
      status = EnhancedStatus.parse(token);
      prefix = token;
    }
    if (status == null) {
      return new SmtpReply(code, null, lines);
    }
    List<String> texts = new ArrayList<>(lines.size());
    for (String l : lines) {
      if (l.equals(prefix)) {
        texts.add("");
      } else if (l.startsWith(prefix) && l.charAt(prefix.length()) == ' ') {
        texts.add(l.substring(prefix.length() + 1));
      } else {
        texts.add(l);
      }
    }
    return new SmtpReply(code, status, texts);
  }
}
