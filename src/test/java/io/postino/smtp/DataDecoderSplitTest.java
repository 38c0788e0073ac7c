package io.postino.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decoder's result must not depend on how the network cut the input: the same output,
 * consumed count, problem and completion whether the input comes whole, in two pieces cut at any
 * position, in three pieces cut at any two positions, or byte by byte.
 */
class DataDecoderSplitTest {

  private static final String SECOND = "MAIL FROM:<e@x>\r\nRCPT TO:<v@y>\r\nDATA\r\nevil\r\n";

  static Stream<Arguments> cases() {
    Decoding.Config data = Decoding.Config.DATA;
    Decoding.Config normalize = Decoding.Config.DATA_NORMALIZE;
    List<String> inputs = List.of(
        ".\r\n",
        ".\r\nQUIT\r\n",
        "Subject: t\r\n\r\nbody\r\n.\r\nQUIT\r\n",
        "..\r\n...\r\n.x\r\n. \r\nx.\r\n.\r\nRSET\r\n",
        "a\n.\n" + SECOND + ".\r\nQUIT\r\n",
        "a\n.\r\n" + SECOND + ".\r\nQUIT\r\n",
        "a\r.\r\n" + SECOND + ".\r\nQUIT\r\n",
        "a\r\n.\rX" + SECOND + ".\r\nQUIT\r\n",
        "a\r\n.\r\r\n.\r\nQUIT\r\n",
        "\n.\r\n.\r\n",
        ".\n.\r\n.\r\nQUIT\r\n",
        "a\rb\nc\r\r\r\n\n\r\n.\r\n",
        "a\0b\r\n\0\r\n.\r\n",
        "\r\n\r\n..\r\n\r\n.\r\n",
        "abc");
    List<Decoding.Config> configs = List.of(data, normalize, data.withMaxLineLength(3),
        normalize.withMaxLineLength(2), data.withMaxSize(5), normalize.withMaxSize(7),
        data.withMaxSize(4).withMaxLineLength(6), data.withMaxSize(6).withMaxLineLength(4),
        Decoding.Config.BDAT, Decoding.Config.BDAT_NORMALIZE, Decoding.Config.BDAT.withMaxSize(3));
    List<Arguments> all = new ArrayList<>();
    for (Decoding.Config c : configs) {
      for (String input : inputs) {
        all.add(Arguments.of(c, input));
      }
    }
    return all.stream();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void sameResultAtEverySplit(Decoding.Config config, String input) {
    Decoding whole = config.whole(input);
    assertEquals(whole, config.byteByByte(input), "byte by byte");
    for (int i = 0; i <= input.length(); i++) {
      assertEquals(whole, config.split(input, List.of(i)), "cut at " + i);
      for (int j = i; j <= input.length(); j++) {
        int cutI = i;
        int cutJ = j;
        assertEquals(whole, config.split(input, List.of(i, j)), () -> "cut at " + cutI + " and " + cutJ);
      }
    }
  }
}
