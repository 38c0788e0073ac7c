package io.postino.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.smtp.DataDecoder.Problem;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Property tests of the DATA decoder against a plain reference: any content, dot-stuffed and
 * terminated as a client would send it, comes back exactly (or exactly normalized), whatever the
 * chunking, with the problem the reference finds.
 */
class DataDecoderPropertyTest {

  @Provide
  Arbitrary<byte[]> contents() {
    Arbitrary<Byte> special = Arbitraries.of((byte) '.', (byte) '\r', (byte) '\n');
    Arbitrary<Byte> plain = Arbitraries.of((byte) 'a', (byte) ' ', (byte) 0xc3);
    Arbitrary<Byte> rare = Arbitraries.of((byte) 0);
    @SuppressWarnings("unchecked")
    Arbitrary<Byte> octet = Arbitraries.frequencyOf(Tuple.of(6, special), Tuple.of(6, plain), Tuple.of(1, rare),
        Tuple.of(1, Arbitraries.bytes()));
    return octet.list().ofMaxSize(300).map(DataDecoderPropertyTest::asLines);
  }

  /** The content with a final CRLF, which every message sent with DATA has. */
  private static byte[] asLines(List<Byte> octets) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    octets.forEach(out::write);
    byte[] b = out.toByteArray();
    if (b.length >= 2 && b[b.length - 2] == '\r' && b[b.length - 1] == '\n') {
      return b;
    }
    out.write('\r');
    out.write('\n');
    return out.toByteArray();
  }

  /** A client's DATA stream: a dot doubled at the start of each line, then CRLF "." CRLF. */
  static byte[] dotStuff(byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < content.length; i++) {
      boolean lineStart = i == 0 || (i >= 2 && content[i - 2] == '\r' && content[i - 1] == '\n');
      if (lineStart && content[i] == '.') {
        out.write('.');
      }
      out.write(content[i]);
    }
    out.writeBytes(".\r\n".getBytes());
    return out.toByteArray();
  }

  private static boolean isBareCr(byte[] b, int i) {
    return b[i] == '\r' && (i + 1 == b.length || b[i + 1] != '\n');
  }

  private static boolean isBareLf(byte[] b, int i) {
    return b[i] == '\n' && (i == 0 || b[i - 1] != '\r');
  }

  /** The first problem in content order, with no limits set. */
  static Problem firstProblem(byte[] content, boolean normalize) {
    for (int i = 0; i < content.length; i++) {
      if (content[i] == 0) {
        return Problem.NUL;
      }
      if (!normalize && (isBareCr(content, i) || isBareLf(content, i))) {
        return Problem.BARE_LINE_ENDING;
      }
    }
    return null;
  }

  /** Every bare CR or LF made CRLF. */
  static byte[] normalized(byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < content.length; i++) {
      if (isBareCr(content, i) || isBareLf(content, i)) {
        out.write('\r');
        out.write('\n');
      } else {
        out.write(content[i]);
      }
    }
    return out.toByteArray();
  }

  private static List<Integer> cuts(Set<Integer> positions, int length) {
    return positions.stream().filter(p -> p <= length).sorted().toList();
  }

  private static byte[] withNextCommand(byte[] stuffed) {
    byte[] in = new byte[stuffed.length + 6];
    System.arraycopy(stuffed, 0, in, 0, stuffed.length);
    System.arraycopy("QUIT\r\n".getBytes(), 0, in, stuffed.length, 6);
    return in;
  }

  @Property(tries = 1000)
  void dotStuffedContentComesBackInAnyChunking(@ForAll("contents") byte[] content,
      @ForAll @Size(max = 8) Set<@IntRange(max = 400) Integer> cutPositions) {
    byte[] stuffed = dotStuff(content);
    byte[] in = withNextCommand(stuffed);
    Decoding d = Decoding.Config.DATA.run(in, cuts(cutPositions, in.length));
    assertEquals(Decoding.Config.DATA.whole(latin1(in)), d);
    assertEquals(latin1(content), d.output());
    assertEquals(stuffed.length, d.consumed());
    assertTrue(d.complete());
    assertEquals(firstProblem(content, false), d.problem());
  }

  @Property(tries = 1000)
  void normalizedContentComesBackInAnyChunking(@ForAll("contents") byte[] content,
      @ForAll @Size(max = 8) Set<@IntRange(max = 400) Integer> cutPositions) {
    byte[] stuffed = dotStuff(content);
    byte[] in = withNextCommand(stuffed);
    Decoding d = Decoding.Config.DATA_NORMALIZE.run(in, cuts(cutPositions, in.length));
    assertEquals(latin1(normalized(content)), d.output());
    assertEquals(stuffed.length, d.consumed());
    assertTrue(d.complete());
    assertEquals(firstProblem(content, true), d.problem());
  }

  @Property(tries = 1000)
  void aSizeLimitCutsTheSameOutput(@ForAll("contents") byte[] content, @ForAll @IntRange(max = 400) int maxSize,
      @ForAll @Size(max = 4) Set<@IntRange(max = 400) Integer> cutPositions) {
    byte[] in = withNextCommand(dotStuff(content));
    Decoding unlimited = Decoding.Config.DATA.whole(latin1(in));
    Decoding limited = Decoding.Config.DATA.withMaxSize(maxSize).run(in, cuts(cutPositions, in.length));
    String expected = unlimited.output().substring(0, Math.min(maxSize, unlimited.output().length()));
    assertEquals(expected, limited.output());
    assertEquals(unlimited.consumed(), limited.consumed());
    if (unlimited.problem() == null) {
      assertEquals(content.length > maxSize ? Problem.TOO_BIG : null, limited.problem());
    } else {
      // whichever came first: the content's own problem or crossing the limit
      assertTrue(limited.problem() == unlimited.problem() || limited.problem() == Problem.TOO_BIG);
    }
  }

  @Property(tries = 1000)
  void chunkedContentPassesThrough(@ForAll("contents") byte[] content, @ForAll boolean dropFinalLf,
      @ForAll @Size(max = 8) Set<@IntRange(max = 400) Integer> cutPositions) {
    byte[] c = dropFinalLf ? java.util.Arrays.copyOf(content, content.length - 1) : content;
    Decoding reject = Decoding.Config.BDAT.run(c, cuts(cutPositions, c.length));
    assertEquals(latin1(c), reject.output());
    assertEquals(c.length, reject.consumed());
    assertEquals(firstProblem(c, false), reject.problem());
    Decoding normalize = Decoding.Config.BDAT_NORMALIZE.run(c, cuts(cutPositions, c.length));
    assertEquals(latin1(normalized(c)), normalize.output());
  }

  private static String latin1(byte[] b) {
    return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
  }
}
