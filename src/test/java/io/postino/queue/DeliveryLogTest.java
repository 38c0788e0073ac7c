package io.postino.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class DeliveryLogTest {

  @Test
  void secondsAreWrittenWithTwoSignificantDecimalsAtMost() {
    assertEquals("0", DeliveryLog.seconds(0));
    assertEquals("0.01", DeliveryLog.seconds(5));
    assertEquals("0.35", DeliveryLog.seconds(352));
    assertEquals("1.5", DeliveryLog.seconds(1_500));
    assertEquals("10", DeliveryLog.seconds(9_995));
    assertEquals("12.5", DeliveryLog.seconds(12_460));
    assertEquals("300", DeliveryLog.seconds(299_700));
    assertEquals("0", DeliveryLog.seconds(-20));
  }

  /** Every time up to 200 s reads as String.format wrote it, trailing zeros dropped. */
  @Test
  void secondsAgreeWithStringFormatEverywhere() {
    for (long millis = 0; millis <= 200_000; millis++) {
      assertEquals(formatted(millis), DeliveryLog.seconds(millis), millis + " ms");
    }
  }

  private static String formatted(long millis) {
    if (millis >= 100_000) {
      return Long.toString(Math.round(millis / 1000.0));
    }
    String s = String.format(Locale.ROOT, millis >= 10_000 ? "%.1f" : "%.2f", millis / 1000.0).replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
