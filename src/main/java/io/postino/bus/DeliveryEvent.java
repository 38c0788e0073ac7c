package io.postino.bus;

import io.postino.smtp.MailAddress;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * The body published on {@code postino.delivery.events} (format version 1) once the queue has
 * durably recorded what happened to one recipient: delivered, deferred (to be retried at
 * {@code nextAttempt}), or bounced (failed for good; a DSN goes to the sender unless the sender
 * is {@code <>} or asked for none).
 *
 * <pre>{@code
 * {"version": 1, "event": "deferred", "queueId": "01HV5Q8Z3K2M4AB", "sender": "alice@example.org",
 *  "attempt": 1, "nextAttempt": "2026-05-01T10:05:00Z",
 *  "result": {"recipient": "bob@example.com", "outcome": "transient", "code": 451, "status": "4.3.0",
 *             "text": "Try again later", "remote": true, "mx": "mx1.example.com", "address": "192.0.2.1"}}
 * }</pre>
 *
 * @param attempt     the delivery attempt (1 for the first) this result came from
 * @param nextAttempt for {@code deferred}, when the recipient will be tried again; else null
 */
public record DeliveryEvent(
    Type event,
    String queueId,
    MailAddress sender,
    int attempt,
    Instant nextAttempt,
    RecipientResult result) {

  public static final int VERSION = 1;

  /** What became of the recipient. */
  public enum Type {
    DELIVERED, DEFERRED, BOUNCED;

    public String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public DeliveryEvent {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(queueId, "queueId");
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(result, "result");
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("version", VERSION)
        .put("event", event.jsonName())
        .put("queueId", queueId)
        .put("sender", BusJson.address(sender))
        .put("attempt", attempt);
    if (nextAttempt != null) {
      json.put("nextAttempt", nextAttempt.toString());
    }
    return json.put("result", result.toJson());
  }

  public static DeliveryEvent fromJson(JsonObject json) {
    BusJson.checkVersion(json, VERSION, "delivery event");
    String next = json.getString("nextAttempt");
    return new DeliveryEvent(
        Type.valueOf(json.getString("event").toUpperCase(Locale.ROOT)),
        json.getString("queueId"),
        BusJson.address(json.getString("sender")),
        json.getInteger("attempt"),
        next == null ? null : Instant.parse(next),
        RecipientResult.fromJson(json.getJsonObject("result")));
  }
}
