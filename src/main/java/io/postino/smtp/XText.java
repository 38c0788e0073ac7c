package io.postino.smtp;

import java.nio.charset.StandardCharsets;

/**
 * Encodes xtext (RFC 3461 section 4), the form of ENVID and ORCPT values on the wire: octets
 * outside {@code !}..{@code ~}, and {@code +} and {@code =}, become {@code +XX}. (Decoding is
 * part of {@link EsmtpParameters}.)
 */
public final class XText {

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private XText() {
  }

  public static String encode(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder(bytes.length + 8);
    for (byte b : bytes) {
      int c = b & 0xff;
      if (c >= '!' && c <= '~' && c != '+' && c != '=') {
        sb.append((char) c);
      } else {
        sb.append('+').append(HEX[c >> 4]).append(HEX[c & 15]);
      }
    }
    return sb.toString();
  }
}
