package io.postino.smtp;

/**
 * Two facts about message content that several parts need: line ends as RFC 5322 wants them,
 * and whether the content has 8-bit octets (so needs 8BITMIME, RFC 6152).
 */
public final class MessageText {

  private MessageText() {
  }

  /**
   * The text with CRLF line ends: every bare LF and every bare CR becomes CRLF, and text that
   * does not end with a line end gets one; empty stays empty. For text written by code, where
   * {@code \n} is the usual line end: the DATA encoder would fix line ends on the wire, but the
   * spool and local mailboxes should hold the octets a remote server gets.
   */
  public static String toCrlf(String in) {
    if (in.isEmpty()) {
      return in;
    }
    StringBuilder out = new StringBuilder(in.length() + in.length() / 32 + 2);
    for (int i = 0; i < in.length(); i++) {
      char c = in.charAt(i);
      if (c == '\r') {
        out.append("\r\n");
        if (i + 1 < in.length() && in.charAt(i + 1) == '\n') {
          i++;
        }
      } else if (c == '\n') {
        out.append("\r\n");
      } else {
        out.append(c);
      }
    }
    char last = in.charAt(in.length() - 1);
    if (last != '\n' && last != '\r') {
      out.append("\r\n");
    }
    return out.toString();
  }

  /** True when an octet is above 127. */
  public static boolean hasEightBit(byte[] octets) {
    for (byte b : octets) {
      if (b < 0) {
        return true;
      }
    }
    return false;
  }
}
