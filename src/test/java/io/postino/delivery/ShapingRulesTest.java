package io.postino.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The pure rules behind the shared limits: the rate algorithm, the back-off levels, which replies
 * ask to slow down, and how the options read.
 */
class ShapingRulesTest {

  @Test
  void aRateAllowsItsMinutesWorthAtOnceThenSpacesEvenly() {
    Gcra rate = Gcra.perMinute(3);
    long now = 1_000_000_000L;
    Long tat = null;
    for (int i = 0; i < 3; i++) {
      Gcra.Reservation r = rate.reserve(tat, now, 0);
      assertEquals(0, r.delay(), "message " + i);
      tat = r.tat();
    }
    // the fourth waits 20 s (one interval), or is refused when it may not wait that long
    Gcra.Reservation refused = rate.reserve(tat, now, 19_999_999);
    assertEquals(-1, refused.delay());
    Gcra.Reservation waits = rate.reserve(tat, now, 60_000_000);
    assertEquals(20_000_000, waits.delay());
    // a quiet minute later the whole allowance is back
    Long later = waits.tat();
    long minuteOn = now + 120_000_000;
    for (int i = 0; i < 3; i++) {
      Gcra.Reservation r = rate.reserve(later, minuteOn, 0);
      assertEquals(0, r.delay(), "message " + i + " a minute on");
      later = r.tat();
    }
    assertEquals(-1, rate.reserve(later, minuteOn, 0).delay());
  }

  @Test
  void aBackOffHalvesPerLevelAndDecaysOneStepPerPeriod() {
    long period = 60_000;
    Throttles.Level one = Throttles.Level.NONE.raise(0, period);
    assertEquals(1, one.level());
    assertEquals(10, one.apply(20, 0, period));
    // the replies of connections already open count once
    assertEquals(one, one.raise(period / 8, period));
    Throttles.Level two = one.raise(period / 2, period);
    assertEquals(5, two.apply(20, period / 2, period));
    assertEquals(10, two.apply(20, period / 2 + period, period));
    assertEquals(20, two.apply(20, period / 2 + 2 * period, period));
    assertEquals(1, new Throttles.Level(3, 0).apply(4, 0, period), "never below one");
    Throttles.Level max = new Throttles.Level(3, 0).raise(period, period);
    assertEquals(3, max.level());
    assertEquals(max, Throttles.Level.decode(max.encode()));
    assertEquals(3 * period, max.expiresAfter(period, period));
  }

  @Test
  void repliesThatAskToSlowDown() {
    assertTrue(Throttles.asksToSlowDown(new Failure(false, 421, "4.7.0", "Too many connections", true)));
    assertTrue(Throttles.asksToSlowDown(new Failure(false, 421, "4.3.2", "Service shutting down", true)));
    assertTrue(Throttles.asksToSlowDown(new Failure(false, 451, "4.7.1", "Rate limited, try later", true)));
    assertTrue(Throttles.asksToSlowDown(new Failure(false, 450, "4.7.28", "Our system has detected an unusual rate", true)));
    assertTrue(Throttles.asksToSlowDown(new Failure(false, 452, "4.5.3", "Too many recipients", true)));
    assertFalse(Throttles.asksToSlowDown(new Failure(false, 451, "4.7.1", "Greylisted, please try again later", true)));
    assertFalse(Throttles.asksToSlowDown(new Failure(false, 450, "4.2.1", "Mailbox busy, too many messages", true)));
    assertFalse(Throttles.asksToSlowDown(new Failure(true, 550, "5.7.1", "Rate limited for good", true)));
    assertFalse(Throttles.asksToSlowDown(Failure.temporary("4.4.2", "421 lost connection")), "not the server's reply");
  }

  @Test
  void theLimitOptionsReadWithTheirDefaults() {
    OutboundOptions defaults = new OutboundOptions(new JsonObject());
    assertEquals(0, defaults.getLimits().getMessagesPerMinute());
    assertEquals(0, defaults.getLimits().getConnectionsPerMinute());
    assertEquals(Duration.ofSeconds(60), defaults.getLimits().getThrottlePeriod());
    assertEquals(new DestinationLimits.Domain(20, 0, 0), defaults.getLimits().forDomain("any.example", 20));

    OutboundOptions options = new OutboundOptions(new JsonObject()
        .put("messagesPerMinute", 1000).put("throttlePeriod", 30)
        .put("destinationLimits", new JsonObject().put("Example.COM",
            new JsonObject().put("maxConnections", 5).put("messagesPerMinute", 600))));
    assertEquals(new DestinationLimits.Domain(5, 600, 0), options.getLimits().forDomain("example.com", 20));
    assertEquals(new DestinationLimits.Domain(20, 1000, 0), options.getLimits().forDomain("other.example", 20));
    assertEquals(Duration.ofSeconds(30), options.getLimits().getThrottlePeriod());
    // the copy (every verticle takes one) keeps them
    assertEquals(options.toJson(true), new OutboundOptions(options).toJson(true));

    assertThrows(IllegalArgumentException.class, () -> new OutboundOptions(new JsonObject()
        .put("destinationLimits", new JsonObject().put("example.com", new JsonObject().put("maxConnectionz", 5)))));
    assertThrows(IllegalArgumentException.class, () -> new OutboundOptions(new JsonObject().put("messagesPerMinute", -1)));
  }
}
