package io.postino.tlspolicy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.PostinoOptions;
import io.postino.config.ConfigException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The {@code delivery.tlsPolicy.reports} object read from a configuration. */
class TlsReportOptionsTest {

  private static JsonObject config(JsonObject reports) {
    return new JsonObject().put("delivery", new JsonObject().put("tlsPolicy", new JsonObject().put("reports", reports)));
  }

  @Test
  void reportsAreOnByDefaultWithTheHostsNames() {
    TlsReportOptions r = new PostinoOptions(new JsonObject()).getDelivery().getTlsPolicy().getReports();
    assertTrue(r.isEnabled());
    assertNull(r.getOrganizationName());
    assertNull(r.getContactInfo());
    assertNull(r.getSender());
    assertNull(r.getDirectory());
  }

  @Test
  void everyKeyIsReadAndKeptThroughACopy() {
    JsonObject reports = new JsonObject().put("enabled", false).put("organizationName", "Example Mail")
        .put("contactInfo", "tls@example.org").put("sender", "reports@example.org").put("directory", "/var/tlsrpt");
    PostinoOptions options = new PostinoOptions(new PostinoOptions(config(reports)));
    TlsReportOptions r = options.getDelivery().getTlsPolicy().getReports();
    assertEquals(reports, r.toJson());
  }

  @Test
  void aMistypedKeyOrASenderThatIsNoAddressIsRefused() {
    ConfigException unknown = assertThrows(ConfigException.class,
        () -> new PostinoOptions(config(new JsonObject().put("enable", false))));
    assertTrue(unknown.getMessage().contains("delivery.tlsPolicy.reports.enable"), unknown.getMessage());
    Exception sender = assertThrows(RuntimeException.class,
        () -> new PostinoOptions(config(new JsonObject().put("sender", "postmaster"))));
    assertTrue(sender.getMessage().contains("reports.sender must be an address"), sender.getMessage());
  }
}
