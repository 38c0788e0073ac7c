package io.postino.server.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The arithmetic of the minimum data rate: grace + bytes / rate, server waits excused. */
class DataRateGuardTest {

  private static final long S = TimeUnit.SECONDS.toNanos(1);

  @Test
  void eachByteBuysTimeAfterTheGrace() {
    // the defaults: 60 s of grace, then 500 bytes/s on average
    DataRateGuard g = new DataRateGuard(60 * S, 500);
    g.start(1000);
    assertEquals(1000 + 60 * S, g.deadline());
    // a dripper: 20 bytes in its first minute buy 40 ms
    g.received(20);
    assertTrue(g.isTooSlow(1000 + 60 * S + S / 25));
    assertFalse(g.isTooSlow(1000 + 60 * S + S / 25 - 1));
    // 30,000 bytes buy a minute more
    g.received(30_000 - 20);
    assertEquals(1000 + 120 * S, g.deadline());
    g.excuse(5 * S);
    assertEquals(1000 + 125 * S, g.deadline());
    // a new message starts afresh
    g.start(200 * S);
    assertEquals(260 * S, g.deadline());
  }

  @Test
  void zeroTurnsItOffAndHugeCountsDoNotOverflow() {
    DataRateGuard off = new DataRateGuard(S, 0);
    off.start(0);
    assertFalse(off.isTooSlow(Long.MAX_VALUE / 2));
    DataRateGuard g = new DataRateGuard(S, 1);
    g.start(0);
    g.received(Long.MAX_VALUE / 2);
    assertEquals(Long.MAX_VALUE, g.deadline());
    assertFalse(g.isTooSlow(Long.MAX_VALUE - 1));
  }
}
