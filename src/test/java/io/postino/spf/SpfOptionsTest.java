package io.postino.spf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.cli.Main;
import io.postino.PostinoOptions;
import io.postino.config.ConfigException;
import io.postino.dmarc.DmarcOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The "spf" and "dmarc" objects: defaults, the shipped configuration, and values refused. */
class SpfOptionsTest {

  @Test
  void offByDefaultInCodeAndOnInTheShippedConfiguration() throws Exception {
    PostinoOptions defaults = new PostinoOptions(new JsonObject());
    assertFalse(defaults.getSpf().isEnabled());
    assertFalse(defaults.getDmarc().isEnabled());
    assertEquals(SpfOptions.Action.REJECT, defaults.getSpf().getAction(SpfResult.FAIL));
    assertEquals(SpfOptions.Action.ACCEPT, defaults.getSpf().getAction(SpfResult.TEMPERROR));
    assertEquals(SpfOptions.Action.ACCEPT, defaults.getSpf().getAction(SpfResult.SOFTFAIL));
    PostinoOptions shipped = new PostinoOptions(Main.readConfig(Path.of("conf/postino.json")));
    assertTrue(shipped.getSpf().isEnabled());
    assertTrue(shipped.getDmarc().isEnabled());
    assertEquals(DmarcOptions.Action.REJECT, shipped.getDmarc().getRejectAction());
  }

  @Test
  void actionsAndTtlsAreRead() {
    PostinoOptions o = new PostinoOptions(new JsonObject()
        .put("spf", new JsonObject().put("enabled", true).put("helo", false).put("cacheTtl", 60)
            .put("actions", new JsonObject().put("softfail", "reject").put("temperror", "defer")))
        .put("dmarc", new JsonObject().put("actions", new JsonObject().put("reject", "quarantine"))
            .put("quarantineHeader", "X-Spam-Flag")));
    assertFalse(o.getSpf().isHelo());
    assertEquals(Duration.ofSeconds(60), o.getSpf().getCacheTtl());
    assertEquals(SpfOptions.Action.REJECT, o.getSpf().getAction(SpfResult.SOFTFAIL));
    assertEquals(SpfOptions.Action.DEFER, o.getSpf().getAction(SpfResult.TEMPERROR));
    assertEquals(SpfOptions.Action.REJECT, o.getSpf().getAction(SpfResult.FAIL));
    assertEquals(DmarcOptions.Action.QUARANTINE, o.getDmarc().getRejectAction());
    assertEquals("X-Spam-Flag", o.getDmarc().getQuarantineHeader());
    assertEquals(o.getSpf().toJson(), new SpfOptions(o.getSpf()).toJson());
    assertEquals(o.getDmarc().toJson(), new DmarcOptions(o.getDmarc()).toJson());
  }

  @Test
  void wrongValuesAreRefusedWithTheirPath() {
    ConfigException e = assertThrows(ConfigException.class, () -> new PostinoOptions(new JsonObject()
        .put("spf", new JsonObject().put("actions", new JsonObject().put("fail", "bounce")))));
    assertTrue(e.getMessage().startsWith("spf.actions.fail: expected one of accept, reject, defer"), e.getMessage());
    ConfigException typo = assertThrows(ConfigException.class, () -> new PostinoOptions(new JsonObject()
        .put("spf", new JsonObject().put("actions", new JsonObject().put("softfial", "reject")))));
    assertTrue(typo.getMessage().contains("spf.actions.softfial"), typo.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new PostinoOptions(new JsonObject()
        .put("dmarc", new JsonObject().put("quarantineHeader", "Bad Header"))));
  }
}
