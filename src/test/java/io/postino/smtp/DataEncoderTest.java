package io.postino.smtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The DATA encoder: dot-stuffing, every bare CR or LF sent as CRLF, the terminating line, and the
 * same output however the content is cut; what it sends decodes back through the server's own
 * {@link DataDecoder} to the normalized content.
 */
class DataEncoderTest {

  static byte[] encode(byte[] content, List<Integer> cuts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DataDecoder.Sink sink = out::write;
    DataEncoder encoder = new DataEncoder();
    int from = 0;
    for (int cut : cuts) {
      encoder.encode(content, from, cut - from, sink);
      from = cut;
    }
    encoder.encode(content, from, content.length - from, sink);
    encoder.finish(sink);
    assertEquals(out.size(), encoder.written());
    return out.toByteArray();
  }

  static String encode(String content) {
    return new String(encode(content.getBytes(StandardCharsets.ISO_8859_1), List.of()), StandardCharsets.ISO_8859_1);
  }

  /** The obvious, slow way: normalize line ends, double leading dots, terminate. */
  static String reference(String content) {
    String normalized = content.replace("\r\n", "\u0000N").replace("\r", "\u0000N").replace("\n", "\u0000N")
        .replace("\u0000N", "\r\n");
    StringBuilder sb = new StringBuilder();
    String[] lines = normalized.split("\r\n", -1);
    for (int i = 0; i < lines.length; i++) {
      boolean lastEmpty = i == lines.length - 1 && lines[i].isEmpty();
      if (lastEmpty) {
        break;
      }
      sb.append(lines[i].startsWith(".") ? "." : "").append(lines[i]).append("\r\n");
    }
    return sb.append(".\r\n").toString();
  }

  @Test
  void examples() {
    assertEquals(".\r\n", encode(""));
    assertEquals("a\r\n.\r\n", encode("a"));
    assertEquals("a\r\n.\r\n", encode("a\r\n"));
    assertEquals("..\r\n...x\r\n.\r\n", encode(".\r\n..x\r\n"));
    assertEquals("a\r\n..\r\nb\r\n.\r\n", encode("a\n.\nb"));
    assertEquals("a\r\n..\r\n\r\n.\r\n", encode("a\r.\r\r\n"));
    assertEquals("x.\r\n .\r\n.\r\n", encode("x.\r\n .\r\n"));
    assertEquals("\r\n\r\n\r\n.\r\n", encode("\r\r\n\n"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", ".", "..", "\r", "\n", "\r\n", ".\r\n", "a\n.\nMAIL FROM:<x>\r\n", "a\r\n.\rX\r\n.\r",
      "a\r.\r\n", "\r\r\n\n\r.\n.", "Subject: x\r\n\r\n.body\r\n..\r\n", "\u00e9\r\n.\u00e9"})
  void matchesTheReferenceAtEverySplit(String input) {
    byte[] content = input.getBytes(StandardCharsets.ISO_8859_1);
    String expected = reference(input);
    for (int i = 0; i <= content.length; i++) {
      for (int j = i; j <= content.length; j++) {
        assertEquals(expected, new String(encode(content, List.of(i, j)), StandardCharsets.ISO_8859_1),
            "cut at " + i + " and " + j);
      }
    }
    List<Integer> every = new ArrayList<>();
    for (int i = 1; i < content.length; i++) {
      every.add(i);
    }
    assertEquals(expected, new String(encode(content, every), StandardCharsets.ISO_8859_1), "byte by byte");
  }

  @Test
  void randomContentRoundTripsThroughTheServerDecoder() {
    Random random = new Random(42);
    byte[] alphabet = {'.', '\r', '\n', 'a', ' ', (byte) 0xc3};
    for (int round = 0; round < 2000; round++) {
      byte[] content = new byte[random.nextInt(60)];
      for (int i = 0; i < content.length; i++) {
        content[i] = alphabet[random.nextInt(alphabet.length)];
      }
      byte[] wire = encode(content, List.of(random.nextInt(content.length + 1)));
      String input = new String(content, StandardCharsets.ISO_8859_1);
      assertEquals(reference(input), new String(wire, StandardCharsets.ISO_8859_1));
      // the server side finds the end exactly at the terminator and gets the normalized content back
      ByteArrayOutputStream decoded = new ByteArrayOutputStream();
      DataDecoder decoder = new DataDecoder(DataDecoder.Framing.DOT_TERMINATED, DataDecoder.BareLineEndings.REJECT,
          Long.MAX_VALUE, 0);
      int consumed = decoder.decode(wire, 0, wire.length, decoded::write);
      assertEquals(wire.length, consumed);
      assertTrue(decoder.isComplete());
      assertEquals(null, decoder.problem());
      String expected = reference(input);
      assertArrayEquals(unstuffed(expected), decoded.toByteArray());
    }
  }

  private static byte[] unstuffed(String wire) {
    StringBuilder sb = new StringBuilder();
    String body = wire.substring(0, wire.length() - 3);
    for (String line : body.split("\r\n", -1)) {
      sb.append(line.startsWith(".") ? line.substring(1) : line).append("\r\n");
    }
    String s = sb.toString();
    return s.substring(0, s.length() - 2).getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void notesEightBitContent() {
    DataEncoder e = new DataEncoder();
    e.encode("plain\r\n".getBytes(StandardCharsets.US_ASCII), 0, 7, (b, o, l) -> { });
    assertFalse(e.sawEightBit());
    e.encode(new byte[] {(byte) 0xe9}, 0, 1, (b, o, l) -> { });
    assertTrue(e.sawEightBit());
  }
}
