package io.postino.tlspolicy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.config.JsonReader;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The {@code delivery.tlsPolicy} object's MTA-STS keys. */
class TlsPolicyOptionsTest {

  @Test
  void mtaStsIsOnAndFetchesFromPort443ByDefault() {
    TlsPolicyOptions o = new TlsPolicyOptions(JsonReader.of(new JsonObject()));
    assertTrue(o.isMtaSts());
    assertEquals(443, o.getMtaStsPort());
  }

  @Test
  void theKeysRoundTrip() {
    TlsPolicyOptions o = new TlsPolicyOptions(JsonReader.of(new JsonObject().put("mtaSts", false)
        .put("mtaStsPort", 8443)));
    assertEquals(false, o.isMtaSts());
    assertEquals(8443, o.getMtaStsPort());
    TlsPolicyOptions again = new TlsPolicyOptions(JsonReader.of(o.toJson()));
    assertEquals(o.toJson(), again.toJson());
  }

  @Test
  void aPortOutOfRangeIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new TlsPolicyOptions().setMtaStsPort(0));
    assertThrows(IllegalArgumentException.class, () -> new TlsPolicyOptions().setMtaStsPort(65536));
  }
}
