package io.postino.spool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.postino.smtp.MailAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The summary fields of a spool file's first line, as {@link SpoolFileFormat#seal} writes them. */
class SpoolFileFormatTest {

  private static byte[] header() {
    return SpoolFileFormat.header(SpoolTesting.envelope("1M94CE4TQ004NBH", Instant.EPOCH,
        new MailAddress("bob", "local.example")));
  }

  private static String firstLine(byte[] header, int length) {
    return new String(header, 0, length, StandardCharsets.US_ASCII);
  }

  @Test
  void theLengthIsNineteenDecimalDigitsAndTheChecksumEightHexDigits() {
    for (long[] fields : new long[][] {{0, 0}, {1337, 0xdeadbeefL}, {52_428_800, 0x1L}, {Long.MAX_VALUE, 0xffffffffL}}) {
      byte[] header = header();
      byte[] unsealed = header.clone();
      int length = SpoolFileFormat.seal(header, fields[0], fields[1]);

      String line = firstLine(header, length);
      String expected = String.format("%019d %08x\n", fields[0], fields[1]);
      assertEquals(expected, line.substring(line.length() - expected.length()), line);
      assertEquals(firstLine(unsealed, length).substring(0, length - expected.length()),
          line.substring(0, length - expected.length()), "the rest of the line is untouched");
      assertEquals(Arrays.toString(Arrays.copyOfRange(unsealed, length, unsealed.length)),
          Arrays.toString(Arrays.copyOfRange(header, length, header.length)), "the envelope is untouched");
    }
  }

  @Test
  void aFieldThatDoesNotFitIsRefusedNotWrittenOverItsNeighbour() {
    assertThrows(IllegalArgumentException.class, () -> SpoolFileFormat.seal(header(), 10, 0x1_0000_0000L));
    assertThrows(IllegalArgumentException.class, () -> SpoolFileFormat.seal(header(), -1, 0));
  }
}
