package io.postino.mime;

import java.util.Locale;

/**
 * What a leaf part's body holds, learnt on the first pass, and how it is written on the second.
 *
 * @param eightBit  an octet above 127
 * @param nul       a NUL octet (no text encoding may carry it)
 * @param longLines a line over {@value ContentFacts#MAX_LINE} octets
 */
record LeafPart(boolean eightBit, boolean nul, boolean longLines) {

  /** How a leaf's body is written. */
  enum Encoding {
    KEEP(null), QUOTED_PRINTABLE("quoted-printable"), BASE64("base64");

    final String name;

    Encoding(String name) {
      this.name = name;
    }
  }

  /**
   * Kept when already encoded (base64, quoted-printable, or an encoding unknown here) or when it
   * fits the hop; otherwise quoted-printable for text, base64 for anything else, for text with NUL
   * octets and for a {@code binary} part.
   *
   * @param transferEncoding the part's Content-Transfer-Encoding, lower case ({@code 7bit} when absent)
   * @param mimeType         the part's media type, lower case
   * @param sevenBit         the hop takes 7-bit content only
   */
  Encoding encoding(String transferEncoding, String mimeType, boolean sevenBit) {
    if (!isIdentity(transferEncoding)) {
      return Encoding.KEEP;
    }
    if (!longLines && !nul && !(sevenBit && eightBit)) {
      return Encoding.KEEP;
    }
    boolean text = mimeType.startsWith("text/");
    return text && !nul && !transferEncoding.equals("binary") ? Encoding.QUOTED_PRINTABLE : Encoding.BASE64;
  }

  /** 7bit, 8bit and binary: the body is its own octets. */
  static boolean isIdentity(String transferEncoding) {
    String e = transferEncoding.toLowerCase(Locale.ROOT);
    return e.equals("7bit") || e.equals("8bit") || e.equals("binary");
  }
}
