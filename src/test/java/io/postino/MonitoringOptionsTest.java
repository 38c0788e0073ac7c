package io.postino;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.postino.config.ConfigException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** {@code spool.minFreeSpace} and the {@code metrics} object: defaults, values, and mistakes named by their path. */
class MonitoringOptionsTest {

  @Test
  void defaultsAndValuesAreRead() {
    PostinoOptions defaults = new PostinoOptions(new JsonObject());
    assertEquals(100L << 20, defaults.getSpoolMinFreeSpace());
    assertEquals(50, defaults.getMetrics().getDomainLabels());
    assertEquals(50, defaults.getMetrics().getRecentDeliveries());

    PostinoOptions set = new PostinoOptions(new JsonObject()
        .put("spool", new JsonObject().put("directory", "x").put("minFreeSpace", 0))
        .put("metrics", new JsonObject().put("domainLabels", 7).put("recentDeliveries", 9)));
    assertEquals(0, set.getSpoolMinFreeSpace());
    assertEquals(7, new PostinoOptions(set).getMetrics().getDomainLabels());
    assertEquals(9, new PostinoOptions(set).getMetrics().getRecentDeliveries());
  }

  @Test
  void mistakesAreNamedByTheirPath() {
    assertEquals("spool.minFreeSpace must not be negative: -1", assertThrows(ConfigException.class,
        () -> new PostinoOptions(new JsonObject().put("spool", new JsonObject().put("minFreeSpace", -1))))
        .getMessage());
    assertEquals("unknown configuration key metrics.domainLabel (did you mean metrics.domainLabels?)",
        assertThrows(ConfigException.class, () -> new PostinoOptions(new JsonObject()
            .put("metrics", new JsonObject().put("domainLabel", 3)))).getMessage());
    assertEquals("metrics: recentDeliveries must be positive: 0", assertThrows(ConfigException.class,
        () -> new PostinoOptions(new JsonObject().put("metrics", new JsonObject().put("recentDeliveries", 0))))
        .getMessage());
  }
}
