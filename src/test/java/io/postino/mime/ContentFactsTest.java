package io.postino.mime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ContentFactsTest {

  private static final String HEADER = "DKIM-Signature: v=1; d=example.org\r\nFrom: a@example.org\r\n"
      + "DKIM-Signature: v=1; d=example.net\r\n\r\n";

  @Test
  void eightBitInTheBodyOnlyIsNotEightBitInTheHeader() throws IOException {
    assertFacts(new ContentFacts(true, false, false, 2, 1), HEADER + "Gr\u00fc\u00dfe\r\n");
  }

  @Test
  void eightBitInTheHeader() throws IOException {
    assertFacts(new ContentFacts(true, false, true, 0, 0), "Subject: \u00e9t\u00e9\r\n\r\nplain\r\n");
  }

  @Test
  void aBodyLineOfTheLongestAllowedLengthIsNotLongOneMoreIs() throws IOException {
    String most = "x".repeat(ContentFacts.MAX_LINE);
    assertFacts(new ContentFacts(false, false, false, 2, 1), HEADER + most + "\r\n" + most + "\n" + most);
    assertFacts(new ContentFacts(false, true, false, 2, 1), HEADER + "short\r\n" + most + "x\r\nshort\r\n");
    // a bare CR is not counted, as a CRLF's is not
    assertFacts(new ContentFacts(false, false, false, 2, 1), HEADER + most + "\r\r\n");
  }

  @Test
  void aLongLineInTheHeader() throws IOException {
    assertFacts(new ContentFacts(false, true, false, 0, 0), "Subject: " + "s".repeat(1000) + "\r\n\r\nbody\r\n");
  }

  /** The same facts whole and read one octet, then seven octets, at a time (lines across reads). */
  private static void assertFacts(ContentFacts expected, String message) throws IOException {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    assertEquals(expected, ContentFacts.scan(bytes, 0, bytes.length));
    for (int step : new int[] {1, 7}) {
      assertEquals(expected, ContentFacts.scan(new Trickle(bytes, step)), "read " + step + " at a time");
    }
  }

  private static final class Trickle extends InputStream {
    private final byte[] bytes;
    private final int step;
    private int next;

    Trickle(byte[] bytes, int step) {
      this.bytes = bytes;
      this.step = step;
    }

    @Override
    public int read() {
      return next < bytes.length ? bytes[next++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (next == bytes.length) {
        return -1;
      }
      int n = Math.min(Math.min(len, step), bytes.length - next);
      System.arraycopy(bytes, next, b, off, n);
      next += n;
      return n;
    }
  }
}
