package io.postino.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** {@code postino queue show} says when a message was received with REQUIRETLS (RFC 8689). */
class QueueTextTest {

  private static JsonObject message(JsonObject parameters) {
    return new JsonObject().put("id", "Q1").put("node", "n1").put("state", "deferred").put("size", 10L)
        .put("arrival", "2026-05-01T10:00:00Z").put("attempts", 1).put("sender", "alice@example.org")
        .put("helo", "client.example").put("clientAddress", "192.0.2.1").put("protocol", "ESMTPS")
        .put("parameters", parameters).put("recipients", new JsonArray()).put("headers", "Subject: x\r\n");
  }

  @Test
  void requireTlsIsShownOnlyWhenGiven() {
    assertTrue(QueueText.show(message(new JsonObject().put("requireTls", true))).contains("REQUIRETLS:   yes"));
    assertFalse(QueueText.show(message(new JsonObject().put("size", 10))).contains("REQUIRETLS"));
  }
}
