package io.postino.dkim;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Makes the {@code DKIM-Signature:} header field of a message (RFC 6376 section 3.5 and 3.7) from
 * its header fields and body hash: which fields it signs ({@link #signedNames}), the tags, and the
 * signature over the canonicalised fields and the signature field itself with an empty
 * {@code b=}. Pure.
 */
public final class SignatureBuilder {

  /**
   * Signed when present, in this order: the author, what a reader sees as the message, and how
   * its body is to be read (RFC 6376 section 5.4.1's list, without the trace fields that change in
   * transit). {@code List-*} fields present are signed as well.
   */
  static final List<String> SIGNED_FIELDS = List.of("From", "Reply-To", "Subject", "Date", "To", "Cc", "Message-ID",
      "In-Reply-To", "References", "MIME-Version", "Content-Type", "Content-Transfer-Encoding");

  private static final int LINE = 76;

  private SignatureBuilder() {
  }

  /**
   * The {@code h=} names for these fields: each signed field as often as it occurs (verifiers take
   * instances from the bottom up), From once more, so that a From added later breaks the
   * signature (over-signing, RFC 6376 section 8.15).
   */
  static List<String> signedNames(List<String> fields) {
    Map<String, Integer> counts = new HashMap<>();
    List<String> listNames = new ArrayList<>();
    for (String f : fields) {
      String name = f.substring(0, f.indexOf(':')).strip();
      String lower = name.toLowerCase(Locale.ROOT);
      counts.merge(lower, 1, Integer::sum);
      if (lower.startsWith("list-") && counts.get(lower) == 1) {
        listNames.add(name);
      }
    }
    List<String> names = new ArrayList<>();
    for (String name : SIGNED_FIELDS) {
      int n = counts.getOrDefault(name.toLowerCase(Locale.ROOT), 0) + (name.equals("From") ? 1 : 0);
      for (int i = 0; i < n; i++) {
        names.add(name);
      }
    }
    for (String name : listNames) {
      for (int i = counts.get(name.toLowerCase(Locale.ROOT)); i > 0; i--) {
        names.add(name);
      }
    }
    return names;
  }

  /**
   * The signature field, CRLF-terminated.
   *
   * @param fields     the message's header fields, in order, without their final CRLF
   * @param bodyHash   the body's {@link BodyHash} under {@code body} canonicalisation
   * @param timestamp  {@code t=}, seconds since the epoch
   * @param expiration {@code x=}, or a negative number for none
   */
  public static String sign(DkimKey key, List<String> fields, byte[] bodyHash, Canonicalization header,
      Canonicalization body, long timestamp, long expiration) throws GeneralSecurityException {
    List<String> names = signedNames(fields);
    Folder f = new Folder("DKIM-Signature:");
    f.add(" v=1;");
    f.add(" a=" + key.algorithm().tag() + ";");
    f.add(" c=" + header.tagName() + "/" + body.tagName() + ";");
    f.add(" d=" + key.domain() + ";");
    f.add(" s=" + key.selector() + ";");
    f.add(" t=" + timestamp + ";");
    if (expiration >= 0) {
      f.add(" x=" + expiration + ";");
    }
    for (int i = 0; i < names.size(); i++) {
      f.add((i == 0 ? " h=" : ":") + names.get(i) + (i == names.size() - 1 ? ";" : ""));
    }
    f.add(" bh=" + Base64.getEncoder().encodeToString(bodyHash) + ";");
    f.add(" b=");
    String unsigned = f.toString();
    byte[] data = signedData(fields, names, unsigned, header);
    byte[] signature = key.algorithm().sign(key.key(), data);
    // b= folded inside its value (white space there is ignored), never right after the "="
    String b64 = Base64.getEncoder().encodeToString(signature);
    StringBuilder signed = new StringBuilder(unsigned);
    int room = Math.max(8, LINE - f.column());
    for (int i = 0; i < b64.length(); ) {
      int end = Math.min(b64.length(), i + room);
      signed.append(b64, i, end);
      i = end;
      if (i < b64.length()) {
        signed.append("\r\n\t");
        room = LINE - 8;
      }
    }
    return signed.append("\r\n").toString();
  }

  /**
   * What a signature signs (RFC 6376 section 3.7): the fields {@code names} lists, each name taking
   * the next instance from the bottom up (none left: nothing), canonicalised; then the signature
   * field itself with an empty {@code b=}, canonicalised, without its final CRLF.
   */
  static byte[] signedData(List<String> fields, List<String> names, String signatureWithoutB,
      Canonicalization header) {
    StringBuilder data = new StringBuilder(2048);
    Map<String, Integer> used = new HashMap<>();
    for (String name : names) {
      String lower = name.strip().toLowerCase(Locale.ROOT);
      String field = nthFromBottom(fields, lower, used.merge(lower, 1, Integer::sum));
      if (field != null) {
        data.append(header.header(field));
      }
    }
    String own = header.header(signatureWithoutB);
    data.append(own, 0, own.length() - 2);
    return data.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  /** The {@code n}th field (1: the last) named {@code lower}, or null when there are fewer. */
  private static String nthFromBottom(List<String> fields, String lower, int n) {
    int seen = 0;
    for (int i = fields.size() - 1; i >= 0; i--) {
      String f = fields.get(i);
      if (f.substring(0, f.indexOf(':')).strip().toLowerCase(Locale.ROOT).equals(lower) && ++seen == n) {
        return f;
      }
    }
    return null;
  }

  /** A header field folded before a piece that would take its line past {@link #LINE}. */
  private static final class Folder {
    private final StringBuilder text;
    private int column;

    Folder(String start) {
      text = new StringBuilder(start);
      column = start.length();
    }

    void add(String piece) {
      if (column + piece.length() > LINE) {
        text.append("\r\n\t");
        column = 8;
        piece = piece.startsWith(" ") ? piece.substring(1) : piece;
      }
      text.append(piece);
      column += piece.length();
    }

    int column() {
      return column;
    }

    @Override
    public String toString() {
      return text.toString();
    }
  }
}
