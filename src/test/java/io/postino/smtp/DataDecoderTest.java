package io.postino.smtp;

import static io.postino.smtp.Decoding.Config.BDAT;
import static io.postino.smtp.Decoding.Config.BDAT_NORMALIZE;
import static io.postino.smtp.Decoding.Config.DATA;
import static io.postino.smtp.Decoding.Config.DATA_NORMALIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.smtp.DataDecoder.BareLineEndings;
import io.postino.smtp.DataDecoder.Framing;
import io.postino.smtp.DataDecoder.Problem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** DATA and BDAT content decoding: framing, dot-stuffing, smuggling, limits. */
class DataDecoderTest {

  private static void assertDecoded(Decoding d, String output, long consumed, Problem problem, boolean complete) {
    assertEquals(output, d.output(), "output");
    assertEquals(consumed, d.consumed(), "consumed");
    assertEquals(problem, d.problem(), "problem");
    assertEquals(complete, d.complete(), "complete");
  }

  @Test
  void normalMessage() {
    String content = "From: a@example.com\r\nSubject: hi\r\n\r\nHello\r\n";
    assertDecoded(DATA.whole(content + ".\r\n"), content, content.length() + 3, null, true);
  }

  @Test
  void emptyMessageIsTheTerminatorAtOnce() {
    assertDecoded(DATA.whole(".\r\n"), "", 3, null, true);
  }

  @Test
  void emptyLinesAreKept() {
    assertDecoded(DATA.whole("\r\n\r\n.\r\n"), "\r\n\r\n", 7, null, true);
  }

  @Test
  void bytesAfterTheTerminatorAreLeftForTheNextCommand() {
    String input = "Hello\r\n.\r\nQUIT\r\n";
    Decoding d = DATA.whole(input);
    assertDecoded(d, "Hello\r\n", 10, null, true);
    assertEquals("QUIT\r\n", input.substring((int) d.consumed()));
    assertDecoded(DATA.whole(".\r\nMAIL FROM:<a@example.com>\r\n"), "", 3, null, true);
  }

  @Test
  void nothingMoreIsConsumedOnceComplete() {
    DataDecoder d = DATA.decoder();
    byte[] in = Decoding.bytes("a\r\n.\r\nQUIT\r\n");
    Decoding.Collector out = new Decoding.Collector();
    assertEquals(6, d.decode(in, 0, in.length, out));
    assertEquals(0, d.decode(in, 6, in.length - 6, out));
    assertEquals(6, d.consumed());
    assertEquals("a\r\n", out.toString(java.nio.charset.StandardCharsets.ISO_8859_1));
  }

  @Test
  void incompleteUntilTheTerminator() {
    assertDecoded(DATA.whole("Hello\r\n."), "Hello\r\n", 8, null, false);
    assertDecoded(DATA.whole("Hello\r\n.\r"), "Hello\r\n", 9, null, false);
    assertDecoded(DATA.whole("Hello\r\n"), "Hello\r\n", 7, null, false);
    assertDecoded(DATA.whole(""), "", 0, null, false);
  }

  @Test
  void dotStuffingIsRemoved() {
    assertDecoded(DATA.whole("..\r\n.\r\n"), ".\r\n", 7, null, true);
    assertDecoded(DATA.whole("...\r\n.\r\n"), "..\r\n", 8, null, true);
    assertDecoded(DATA.whole("a\r\n..hidden\r\n.\r\n"), "a\r\n.hidden\r\n", 16, null, true);
    assertDecoded(DATA.whole("a\r\n..\r\n.\r\n"), "a\r\n.\r\n", 10, null, true);
  }

  @Test
  void aDotBeforeOtherTextIsDroppedAsPostfixDoes() {
    assertDecoded(DATA.whole(".x\r\n.\r\n"), "x\r\n", 7, null, true);
    assertDecoded(DATA.whole("a\r\n. b\r\n.\r\n"), "a\r\n b\r\n", 11, null, true);
  }

  @Test
  void dotsInsideLinesAreContent() {
    assertDecoded(DATA.whole("a.b\r\nx.\r\n.\r\n"), "a.b\r\nx.\r\n", 12, null, true);
    assertDecoded(DATA.whole("a\r\nx..\r\n.\r\n"), "a\r\nx..\r\n", 11, null, true);
  }

  /** Each variant a smuggler may try, between a first message and what would be a second one. */
  private static final String[] SMUGGLING = {"\n.\n", "\n.\r\n", "\r.\r\n", "\r\n.\rX", "\r\n.\r\r\n"};
  private static final String SECOND = "MAIL FROM:<evil@example.com>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\n";

  @Test
  void smugglingNeverEndsTheDataUnderReject() {
    String[] outputs = {"a\n.\n", "a\n.\r\n", "a\r.\r\n", "a\r\n\rX", "a\r\n\r\r\n"};
    for (int i = 0; i < SMUGGLING.length; i++) {
      String input = "a" + SMUGGLING[i] + SECOND + ".\r\n";
      assertDecoded(DATA.whole(input), outputs[i] + SECOND, input.length(), Problem.BARE_LINE_ENDING, true);
    }
  }

  @Test
  void smugglingNeverEndsTheDataUnderNormalize() {
    String[] outputs = {"a\r\n.\r\n", "a\r\n.\r\n", "a\r\n.\r\n", "a\r\n\r\nX", "a\r\n\r\n\r\n"};
    for (int i = 0; i < SMUGGLING.length; i++) {
      String input = "a" + SMUGGLING[i] + SECOND + ".\r\n";
      assertDecoded(DATA_NORMALIZE.whole(input), outputs[i] + SECOND, input.length(), null, true);
    }
  }

  @Test
  void smugglingAtTheVeryStart() {
    assertDecoded(DATA.whole("\n.\n.\r\n"), "\n.\n.\r\n", 6, Problem.BARE_LINE_ENDING, false);
    assertDecoded(DATA.whole("\n.\r\n.\r\n"), "\n.\r\n", 7, Problem.BARE_LINE_ENDING, true);
    assertDecoded(DATA.whole(".\n.\r\n"), "\n.\r\n", 5, Problem.BARE_LINE_ENDING, false);
    assertDecoded(DATA.whole(".\rX\r\n.\r\n"), "\rX\r\n", 8, Problem.BARE_LINE_ENDING, true);
    assertDecoded(DATA_NORMALIZE.whole(".\rX\r\n.\r\n"), "\r\nX\r\n", 8, null, true);
  }

  @Test
  void aNormalizedLineEndDoesNotStartALineForDotHandling() {
    // under NORMALIZE the bare LF becomes CRLF, but the dot after it is not unstuffed or an end
    assertDecoded(DATA_NORMALIZE.whole("a\n..\r\n.\r\n"), "a\r\n..\r\n", 9, null, true);
    assertDecoded(DATA_NORMALIZE.whole("a\r..\r\n.\r\n"), "a\r\n..\r\n", 9, null, true);
  }

  @Test
  void bareCrAndLfInsideLines() {
    assertDecoded(DATA.whole("a\rb\nc\r\n.\r\n"), "a\rb\nc\r\n", 10, Problem.BARE_LINE_ENDING, true);
    assertDecoded(DATA_NORMALIZE.whole("a\rb\nc\r\n.\r\n"), "a\r\nb\r\nc\r\n", 10, null, true);
    assertDecoded(DATA.whole("a\r\r\n.\r\n"), "a\r\r\n", 7, Problem.BARE_LINE_ENDING, true);
    assertDecoded(DATA_NORMALIZE.whole("a\r\r\n.\r\n"), "a\r\n\r\n", 7, null, true);
    assertDecoded(DATA_NORMALIZE.whole("a\n\n\r\r\r\n.\r\n"), "a\r\n\r\n\r\n\r\n\r\n", 10, null, true);
  }

  @Test
  void nulIsAProblemButPassedOn() {
    assertDecoded(DATA.whole("a\0b\r\n.\r\n"), "a\0b\r\n", 8, Problem.NUL, true);
    assertDecoded(DATA_NORMALIZE.whole("\0\r\n.\r\n"), "\0\r\n", 6, Problem.NUL, true);
  }

  @Test
  void theFirstProblemIsKept() {
    assertEquals(Problem.NUL, DATA.whole("\0\n\r\n.\r\n").problem());
    assertEquals(Problem.BARE_LINE_ENDING, DATA.whole("\n\0\r\n.\r\n").problem());
    assertEquals(Problem.BARE_LINE_ENDING, DATA.whole("\r\0\r\n.\r\n").problem());
    assertEquals(Problem.NUL, DATA.withMaxLineLength(2).whole("ab\0cd\r\n.\r\n").problem());
    assertEquals(Problem.LINE_TOO_LONG, DATA.withMaxLineLength(2).whole("abc\0\r\n.\r\n").problem());
  }

  @Test
  void longLinesAreAcceptedByDefault() {
    String line = "x".repeat(100_000);
    assertDecoded(DATA.whole(line + "\r\n.\r\n"), line + "\r\n", line.length() + 5, null, true);
  }

  @Test
  void aLineLongerThanTheMaximumIsFlagged() {
    String line998 = "x".repeat(998);
    assertDecoded(DATA.withMaxLineLength(998).whole(line998 + "\r\n.\r\n"), line998 + "\r\n", 1003, null, true);
    assertDecoded(DATA.withMaxLineLength(998).whole(line998 + "x\r\n.\r\n"), line998 + "x\r\n", 1004,
        Problem.LINE_TOO_LONG, true);
    // the stuffing dot is not content and does not count
    assertDecoded(DATA.withMaxLineLength(998).whole("." + line998 + "\r\n.\r\n"), line998 + "\r\n", 1004, null,
        true);
    // the limit is per line
    assertEquals(null, DATA.withMaxLineLength(3).whole("abc\r\nabc\r\n\r\nabc\r\n.\r\n").problem());
    // a bare line ending does not end the line
    assertEquals(Problem.LINE_TOO_LONG,
        DATA_NORMALIZE.withMaxLineLength(3).whole("ab\ncd\r\n.\r\n").problem());
  }

  @Test
  void sizeLimitStopsOutputButFindsTheEnd() {
    String content = "0123456789\r\n0123456789\r\n";
    Decoding d = DATA.withMaxSize(15).whole(content + ".\r\nQUIT\r\n");
    assertDecoded(d, content.substring(0, 15), content.length() + 3, Problem.TOO_BIG, true);
    assertEquals(15, d.size());
    assertDecoded(DATA.withMaxSize(content.length()).whole(content + ".\r\n"), content, content.length() + 3,
        null, true);
    assertDecoded(DATA.withMaxSize(0).whole(".\r\n"), "", 3, null, true);
    assertDecoded(DATA.withMaxSize(0).whole("a\r\n.\r\n"), "", 6, Problem.TOO_BIG, true);
  }

  @Test
  void sizeCountsTheOutputOfNormalization() {
    assertDecoded(DATA_NORMALIZE.withMaxSize(3).whole("a\nb\r\n.\r\n"), "a\r\nb\r\n".substring(0, 3), 8,
        Problem.TOO_BIG, true);
    assertDecoded(DATA_NORMALIZE.withMaxSize(6).whole("a\nb\r\n.\r\n"), "a\r\nb\r\n", 8, null, true);
  }

  @Test
  void hugeInputWithoutLineEndsStaysWithinTheLimit() {
    Decoding.Config c = DATA.withMaxSize(1000).withMaxLineLength(998);
    DataDecoder d = c.decoder();
    Decoding.Collector out = new Decoding.Collector();
    byte[] chunk = Decoding.bytes("y".repeat(8192));
    for (int i = 0; i < 1000; i++) {
      assertEquals(chunk.length, d.decode(chunk, 0, chunk.length, out));
    }
    assertEquals(1000, out.size());
    assertEquals(1000, d.size());
    assertEquals(8192L * 1000, d.consumed());
    assertSame(Problem.LINE_TOO_LONG, d.problem());
    assertFalse(d.isComplete());
    byte[] end = Decoding.bytes("\r\n.\r\n");
    assertEquals(5, d.decode(end, 0, 5, out));
    assertTrue(d.isComplete());
  }

  @Test
  void problemReplies() {
    assertSame(Replies.BARE_LINE_ENDING, reply("a\nb\r\n.\r\n", DATA));
    assertSame(Replies.NUL_IN_CONTENT, reply("\0\r\n.\r\n", DATA));
    assertSame(Replies.CONTENT_LINE_TOO_LONG, reply("abc\r\n.\r\n", DATA.withMaxLineLength(2)));
    assertSame(Replies.MESSAGE_TOO_BIG, reply("abc\r\n.\r\n", DATA.withMaxSize(2)));
    assertNull(reply("abc\r\n.\r\n", DATA));
    assertEquals(550, Replies.BARE_LINE_ENDING.code());
    assertEquals("5.6.0", Replies.BARE_LINE_ENDING.status().toString());
    assertEquals(552, Replies.MESSAGE_TOO_BIG.code());
    assertEquals("5.3.4", Replies.MESSAGE_TOO_BIG.status().toString());
  }

  private static SmtpReply reply(String input, Decoding.Config config) {
    DataDecoder d = config.decoder();
    byte[] in = Decoding.bytes(input);
    d.decode(in, 0, in.length, (b, o, l) -> { });
    return d.problemReply();
  }

  @Test
  void chunkedContentPassesThroughWithoutDotHandling() {
    String content = ".\r\n..\r\n.x\r\nend\r\n.\r\n";
    assertDecoded(BDAT.whole(content), content, content.length(), null, false);
  }

  @Test
  void chunkedChecksLineEndingsToo() {
    assertDecoded(BDAT.whole("a\nb\r\n"), "a\nb\r\n", 5, Problem.BARE_LINE_ENDING, false);
    assertDecoded(BDAT_NORMALIZE.whole("a\nb\rc\r\n"), "a\r\nb\r\nc\r\n", 7, null, false);
    assertDecoded(BDAT.whole("a\0\r\n"), "a\0\r\n", 4, Problem.NUL, false);
    assertDecoded(BDAT.withMaxSize(2).whole("abc"), "ab", 3, Problem.TOO_BIG, false);
  }

  @Test
  void finishTurnsAFinalCrIntoABareCr() {
    assertDecoded(BDAT.whole("abc\r"), "abc\r", 4, Problem.BARE_LINE_ENDING, false);
    assertDecoded(BDAT_NORMALIZE.whole("abc\r"), "abc\r\n", 4, null, false);
    assertDecoded(BDAT.split("abc\r\ndef", java.util.List.of(4)), "abc\r\ndef", 8, null, false);
  }

  @Test
  void finishDoesNothingForData() {
    DataDecoder d = DATA.decoder();
    byte[] in = Decoding.bytes("abc\r");
    Decoding.Collector out = new Decoding.Collector();
    d.decode(in, 0, in.length, out);
    d.finish(out);
    assertEquals("abc\r", out.toString(java.nio.charset.StandardCharsets.ISO_8859_1));
    assertNull(d.problem());
  }

  @Test
  void emitsInBulk() {
    String content = ("Some text of a line that goes on for a while\r\n").repeat(100);
    byte[] in = Decoding.bytes(content + ".\r\n");
    int[] calls = new int[1];
    DATA.decoder().decode(in, 0, in.length, (b, o, l) -> calls[0]++);
    assertEquals(1, calls[0]);
  }

  @ParameterizedTest
  @ValueSource(longs = {-1, Long.MIN_VALUE})
  void negativeMaxSizeIsRefused(long maxSize) {
    assertThrows(IllegalArgumentException.class,
        () -> new DataDecoder(Framing.DOT_TERMINATED, BareLineEndings.REJECT, maxSize, 0));
  }

  @Test
  void badRangeIsAProgrammingError() {
    DataDecoder d = DATA.decoder();
    assertThrows(IndexOutOfBoundsException.class, () -> d.decode(new byte[4], 3, 2, (b, o, l) -> { }));
  }
}
