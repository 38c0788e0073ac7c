package io.postino.bus;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * The reply body of {@code postino.send} (format version 1): the queue id of the message, now
 * durably in the spool, {@code {"version": 1, "queueId": "1M8P6JEYC000GV7"}}. Delivery events for
 * it on {@code postino.delivery.events}, and its {@code postino.inbound} event, carry the same id.
 */
public record SendReply(String queueId) {

  public static final int VERSION = 1;

  /** The failure code of a request that is malformed, invalid or too large: do not repeat it. */
  public static final int BAD_REQUEST = 400;

  /** The failure code when the message could not be spooled: try again later. */
  public static final int SPOOL_FAILURE = 451;

  public SendReply {
    Objects.requireNonNull(queueId, "queueId");
  }

  public JsonObject toJson() {
    return new JsonObject().put("version", VERSION).put("queueId", queueId);
  }

  public static SendReply fromJson(JsonObject json) {
    BusJson.checkVersion(json, VERSION, "send reply");
    return new SendReply(json.getString("queueId"));
  }
}
