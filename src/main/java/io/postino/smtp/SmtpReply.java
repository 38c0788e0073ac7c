package io.postino.smtp;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One SMTP reply: a three-digit code, an optional enhanced status code and one or more text lines.
 * Immutable; {@link #encoded()} builds the wire form (a few dozen octets) on each call.
 */
public record SmtpReply(int code, EnhancedStatus status, List<String> lines) {

  public SmtpReply {
    if (code < 200 || code > 599) {
      throw new IllegalArgumentException("reply code out of range: " + code);
    }
    lines = List.copyOf(lines);
    if (lines.isEmpty()) {
      throw new IllegalArgumentException("a reply has at least one line");
    }
    for (String line : lines) {
      if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("CR or LF inside a reply line");
      }
    }
  }

  public static SmtpReply of(int code, EnhancedStatus status, String text) {
    return new SmtpReply(code, status, List.of(text));
  }

  public static SmtpReply of(int code, String text) {
    return new SmtpReply(code, null, List.of(text));
  }

  /** 2xx and 3xx. */
  public boolean isPositive() {
    return code < 400;
  }

  /** 4xx: try again later. */
  public boolean isTransient() {
    return code >= 400 && code < 500;
  }

  /** 5xx: do not try again. */
  public boolean isPermanent() {
    return code >= 500;
  }

  /** The first line's text, without code or enhanced status. */
  public String text() {
    return lines.get(0);
  }

  /** The reply as sent on the wire: {@code 250-first\r\n250 last\r\n}, enhanced code on each line. */
  public String encoded() {
    StringBuilder sb = new StringBuilder(32 * lines.size());
    for (int i = 0; i < lines.size(); i++) {
      sb.append(code).append(i == lines.size() - 1 ? ' ' : '-');
      if (status != null) {
        sb.append(status).append(' ');
      }
      sb.append(lines.get(i)).append("\r\n");
    }
    return sb.toString();
  }

  public byte[] encodedBytes() {
    return encoded().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    String e = encoded();
    return e.substring(0, e.length() - 2).replace("\r\n", " / ");
  }
}
