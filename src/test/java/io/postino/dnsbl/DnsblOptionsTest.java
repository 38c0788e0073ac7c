package io.postino.dnsbl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.PostinoOptions;
import io.postino.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code smtp.dnsbl} object: defaults, a full configuration, and the mistakes it refuses. */
class DnsblOptionsTest {

  private static DnsblOptions read(String dnsbl) {
    return new PostinoOptions(new JsonObject("{\"smtp\": {\"dnsbl\": " + dnsbl + "}}")).getSmtp().getDnsbl();
  }

  private static String refused(String dnsbl) {
    return assertThrows(ConfigException.class, () -> read(dnsbl)).getMessage();
  }

  @Test
  void offByDefault() {
    DnsblOptions o = new PostinoOptions().getSmtp().getDnsbl();
    assertFalse(o.isEnabled());
    assertEquals(1, o.getThreshold());
    assertEquals(0, o.getAllowThreshold());
    assertEquals(Duration.ofSeconds(2), o.getMaxGreetingWait());
    assertEquals(Duration.ofMinutes(5), o.getCacheTtl());
  }

  @Test
  void aFullConfigurationReadsAndSurvivesACopy() {
    DnsblOptions o = read("{\"sites\": [{\"zone\": \"Zen.Example.\", \"weight\": 2, \"codes\": [\"127.0.0.2\"]},"
        + " {\"zone\": \"wl.example\", \"weight\": -3}, {\"zone\": \"bl.example\"}],"
        + " \"threshold\": 3, \"allowThreshold\": -2, \"maxGreetingWait\": 0.5, \"cacheTtl\": 60}");
    assertEquals(List.of(new DnsblSite("zen.example", 2, List.of("127.0.0.2")), new DnsblSite("wl.example", -3, List.of()),
        new DnsblSite("bl.example", 1, List.of())), o.getSites());
    assertEquals(3, o.getThreshold());
    assertEquals(-2, o.getAllowThreshold());
    assertEquals(Duration.ofMillis(500), o.getMaxGreetingWait());
    assertEquals(o.toJson(), new PostinoOptions(new PostinoOptions(new JsonObject().put("smtp",
        new JsonObject().put("dnsbl", o.toJson())))).getSmtp().getDnsbl().toJson());
  }

  @Test
  void mistakesAreRefusedByPath() {
    assertTrue(refused("{\"sites\": [{\"zone\": \"bl.example\", \"weight\": 0}]}").contains("weight 0"));
    assertTrue(refused("{\"sites\": [{\"zone\": \"bl.example\", \"codes\": [\"10.0.0.2\"]}]}")
        .contains("not an address in 127.0.0.0/8"));
    assertTrue(refused("{\"sites\": [{\"zone\": \"bl.example\", \"wieght\": 2}]}").contains("wieght"));
    assertTrue(refused("{\"sites\": [{\"weight\": 2}]}").contains("smtp.dnsbl.sites[0]"));
    assertTrue(refused("{\"sites\": \"zen.example\"}").contains("smtp.dnsbl.sites"));
    assertTrue(refused("{\"threshold\": 0}").contains("threshold must be at least 1"));
    assertTrue(refused("{\"allowThreshold\": 1}").contains("allowThreshold must be negative"));
    assertTrue(refused("{\"tresholds\": 1}").contains("tresholds"));
  }
}
