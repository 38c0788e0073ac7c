package io.postino.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.postino.delivery.OutboundOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The queue and delivery options: defaults, JSON in seconds, validation, and the backoff. */
class QueueOptionsTest {

  @Test
  void backoffDoublesFromTheMinimumUpToTheMaximum() {
    QueueOptions o = new QueueOptions();
    assertEquals(List.of(300L, 600L, 1200L, 2400L, 4000L, 4000L),
        List.of(1, 2, 3, 4, 5, 50).stream().map(n -> o.backoff(n).toSeconds()).toList());
    assertEquals(Duration.ofDays(5), o.getMaxLifetime());
    assertEquals(Duration.ofHours(4), o.getDelayWarning());
    assertEquals(false, o.isDelayWarningWithoutNotify());
  }

  @Test
  void jsonInSecondsWithFractions() {
    QueueOptions o = new QueueOptions(new JsonObject().put("minBackoff", 0.25).put("maxBackoff", 1)
        .put("failedBounces", "hold").put("activeLimit", 7));
    assertEquals(Duration.ofMillis(250), o.getMinBackoff());
    assertEquals(QueueOptions.FailedBounces.HOLD, o.getFailedBounces());
    assertEquals(7, o.getActiveLimit());
    assertEquals(o.toJson(), new QueueOptions(o.toJson()).toJson());
  }

  @Test
  void invalidQueueValuesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new QueueOptions(new JsonObject().put("minBackoff", 0)));
    assertThrows(IllegalArgumentException.class, () -> new QueueOptions(new JsonObject().put("activeLimit", 0)));
    assertThrows(IllegalArgumentException.class,
        () -> new QueueOptions(new JsonObject().put("minBackoff", 10).put("maxBackoff", 5)));
    assertThrows(IllegalArgumentException.class,
        () -> new QueueOptions(new JsonObject().put("bounceSizeLimit", QueueOptions.MAX_BOUNCE_SIZE_LIMIT + 1)));
  }

  @Test
  void deliveryOptionsFromJsonKeepPasswordsOutOfPrintouts() {
    OutboundOptions o = new OutboundOptions(new JsonObject()
        .put("connectTimeout", 1.5)
        .put("requireTlsDomains", List.of("Bank.Example"))
        .put("auth", Map.of("relay.example", Map.of("username", "u", "password", "p"))));
    assertEquals(Duration.ofMillis(1500), o.getConnectTimeout());
    assertEquals(true, o.requiresTls("bank.example"));
    assertEquals("p", o.credentials("RELAY.example").password());
    assertEquals("****", o.toJson(false).getJsonObject("auth").getJsonObject("relay.example").getString("password"));
    assertEquals(false, o.credentials("relay.example").toString().contains("p]"));
    assertEquals(o.toJson(true), new OutboundOptions(o).toJson(true));
  }

  @Test
  void invalidDeliveryValuesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new OutboundOptions(new JsonObject().put("maxConnections", 0)));
    assertThrows(IllegalArgumentException.class, () -> new OutboundOptions(new JsonObject().put("heloName", "a b")));
    assertThrows(IllegalArgumentException.class, () -> new OutboundOptions(new JsonObject().put("dataTimeout", -1)));
  }
}
