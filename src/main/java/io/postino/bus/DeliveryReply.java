package io.postino.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The reply body of {@code postino.delivery.submit} (format version 1): one
 * {@link RecipientResult} per recipient of the {@link DeliveryJob}, in the job's order.
 *
 * <pre>{@code
 * {"version": 1, "queueId": "01HV5Q8Z3K2M4AB", "domain": "example.com",
 *  "results": [{"recipient": "bob@example.com", "outcome": "delivered", "code": 250, "status": "2.0.0",
 *               "text": "Ok: queued as 4Vx1", "remote": true, "mx": "mx1.example.com", "address": "192.0.2.1"}]}
 * }</pre>
 *
 * <p>Every outcome is a normal reply, failures included; a {@code ReplyException} (no handler,
 * timeout, or {@code fail(400)} for a job that cannot be read) means the job was not done, and the
 * queue treats every recipient as a transient failure.
 */
public record DeliveryReply(String queueId, String domain, List<RecipientResult> results) {

  public static final int VERSION = 1;

  public DeliveryReply {
    Objects.requireNonNull(queueId, "queueId");
    Objects.requireNonNull(domain, "domain");
    results = List.copyOf(results);
  }

  public JsonObject toJson() {
    JsonArray array = new JsonArray();
    results.forEach(r -> array.add(r.toJson()));
    return new JsonObject()
        .put("version", VERSION)
        .put("queueId", queueId)
        .put("domain", domain)
        .put("results", array);
  }

  public static DeliveryReply fromJson(JsonObject json) {
    BusJson.checkVersion(json, VERSION, "delivery reply");
    List<RecipientResult> results = new ArrayList<>();
    json.getJsonArray("results").forEach(o -> results.add(RecipientResult.fromJson((JsonObject) o)));
    return new DeliveryReply(json.getString("queueId"), json.getString("domain"), results);
  }
}
