package io.postino.mime;

import java.io.IOException;
import java.io.InputStream;

/**
 * What a message's octets need of the next hop, found in one pass over them without parsing MIME
 * (cheap enough for every message sent).
 *
 * @param eightBit          an octet above 127 anywhere
 * @param longLines         a line over {@value #MAX_LINE} octets (CRLF not counted) anywhere
 * @param headerEightBit    an octet above 127 in the top-level header section
 * @param signatures        {@code DKIM-Signature:} fields in the top-level header section
 * @param leadingSignatures of those, how many come before any other field (the ones Postino puts
 *                          in front of a message it signs)
 */
public record ContentFacts(boolean eightBit, boolean longLines, boolean headerEightBit, int signatures,
    int leadingSignatures) {

  /** The longest line RFC 5322 (section 2.1.1) and RFC 5321 (4.5.3.1.6) allow, without its CRLF. */
  public static final int MAX_LINE = 998;

  private static final byte[] DKIM = "dkim-signature:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** Whether nothing is to be converted for a host that offers 8BITMIME ({@code sevenBit} false) or not. */
  public boolean fitsAsIs(boolean sevenBit) {
    return !longLines && !(sevenBit && eightBit);
  }

  /** Whether the message carries a DKIM signature that Postino did not put in front of it. */
  public boolean signedElsewhere() {
    return signatures > leadingSignatures;
  }

  /** Reads {@code in} to its end (not closed). */
  public static ContentFacts scan(InputStream in) throws IOException {
    Scanner s = new Scanner();
    byte[] buf = new byte[64 * 1024];
    for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
      s.update(buf, 0, n);
    }
    return s.result();
  }

  /** Facts of {@code length} octets of {@code bytes} from {@code offset}. */
  public static ContentFacts scan(byte[] bytes, int offset, int length) {
    Scanner s = new Scanner();
    s.update(bytes, offset, length);
    return s.result();
  }

  private static final class Scanner {
    private boolean eightBit;
    private boolean longLines;
    private boolean headerEightBit;
    private int signatures;
    private int leading;
    private boolean othersSeen;
    private boolean inHeader = true;
    private int line;
    /** How many octets of the current header line match "dkim-signature:"; -1 once it cannot. */
    private int matched;
    private boolean lineStart = true;

    void update(byte[] b, int off, int len) {
      int end = off + len;
      int i = off;
      // the header section, octet by octet
      for (; i < end && inHeader; i++) {
        int c = b[i] & 0xff;
        if (c == '\n') {
          if (line == 0) {
            inHeader = false;
          }
          line = 0;
          lineStart = true;
          continue;
        }
        if (c == '\r') {
          continue;
        }
        if (c > 127) {
          eightBit = true;
          headerEightBit = true;
        }
        if (++line > MAX_LINE) {
          longLines = true;
        }
        header(c);
      }
      body(b, i, end);
    }

    /** The body, where only line lengths and 8-bit octets matter: a tight loop over locals. */
    private void body(byte[] b, int from, int end) {
      int n = line;
      int high = 0;
      boolean longLine = false;
      for (int i = from; i < end; i++) {
        byte c = b[i];
        if (c == '\n') {
          n = 0;
        } else if (c != '\r') {
          high |= c;
          longLine |= ++n > MAX_LINE;
        }
      }
      line = n;
      longLines |= longLine;
      eightBit |= high < 0;
    }

    private void header(int c) {
      if (lineStart) {
        lineStart = false;
        if (c == ' ' || c == '\t') {
          matched = -1;
          return;
        }
        matched = 0;
      }
      if (matched < 0) {
        return;
      }
      if (Character.toLowerCase(c) == DKIM[matched]) {
        if (++matched == DKIM.length) {
          signatures++;
          if (!othersSeen) {
            leading++;
          }
          matched = -1;
        }
      } else {
        othersSeen = true;
        matched = -1;
      }
    }

    ContentFacts result() {
      return new ContentFacts(eightBit, longLines, headerEightBit, signatures, leading);
    }
  }
}
