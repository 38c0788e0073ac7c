package io.postino.smtp;

import java.text.Normalizer;

/**
 * What a local part must look like before it names a mailbox: one Unicode form, and no
 * invisible character that changes how the name reads.
 *
 * <p>SECURITY: with SMTPUTF8 a client can write {@code üser} precomposed or as {@code u} and a
 * combining diaeresis; both are one user, so local parts are normalised to NFC (RFC 6532
 * section 3.1 recommends NFC) before they are compared or mapped to a directory. A
 * right-to-left override (U+202E) or another format or control character would make a mailbox
 * name, a log line or a listing read differently from what it is: such recipients are refused
 * at RCPT. Zero-width non-joiner and joiner (U+200C, U+200D) stay allowed, since several scripts
 * need them inside words, as the PRECIS identifier rules allow in context.
 */
public final class LocalParts {

  private LocalParts() {
  }

  /** The NFC form of a local part. */
  public static String normalize(String localPart) {
    return Normalizer.normalize(localPart, Normalizer.Form.NFC);
  }

  /** True when a local part holds a character that no mailbox name may: see {@link #isRefused(int)}. */
  public static boolean hasRefusedCharacter(String localPart) {
    return localPart.codePoints().anyMatch(LocalParts::isRefused);
  }

  /**
   * Control characters (C0, DEL, C1), format characters (the bidirectional embeddings,
   * overrides, isolates and marks, zero-width space, soft hyphen, BOM, ...) other than ZWNJ and
   * ZWJ, and the line and paragraph separators.
   */
  public static boolean isRefused(int cp) {
    return switch (Character.getType(cp)) {
      case Character.CONTROL, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> true;
      case Character.FORMAT -> cp != 0x200C && cp != 0x200D;
      default -> false;
    };
  }

  /**
   * Where the subaddress of a local part starts ({@code alice+news}: at the {@code +}): the first of
   * the {@code delimiters} characters after the first character (Postfix's recipient_delimiter), or
   * -1 when there is none.
   */
  public static int subaddressStart(String localPart, String delimiters) {
    for (int i = 1; i < localPart.length() && !delimiters.isEmpty(); i++) {
      if (delimiters.indexOf(localPart.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }
}
