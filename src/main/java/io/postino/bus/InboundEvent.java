package io.postino.bus;

import io.postino.authres.AuthResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The body published on {@code postino.inbound} (format version 1) once a message for a local
 * domain is in its mailboxes: the envelope, the queue id, and the Maildir file of each recipient,
 * so a consumer reads the content from disk when it likes; the event itself never carries it.
 *
 * @param mailboxes   one entry per local recipient, in RCPT order
 * @param authResults the sender authentication results the message got as it was received (DNS
 *                    lists, SPF, DKIM, ARC...: its {@code Authentication-Results:}), in order;
 *                    empty when none were computed, or the message was read back from the spool
 */
public record InboundEvent(
    String queueId,
    String sender,
    List<Mailbox> mailboxes,
    String received,
    String clientAddress,
    String helo,
    List<AuthResult> authResults) {

  public static final int VERSION = 1;

  public InboundEvent {
    mailboxes = List.copyOf(mailboxes);
    authResults = List.copyOf(authResults);
  }

  /** A recipient address and the absolute path of the file delivered for it. */
  public record Mailbox(String recipient, String path) {
  }

  public JsonObject toJson() {
    JsonArray boxes = new JsonArray();
    mailboxes.forEach(m -> boxes.add(new JsonObject().put("recipient", m.recipient()).put("path", m.path())));
    return new JsonObject()
        .put("version", VERSION)
        .put("queueId", queueId)
        .put("sender", sender)
        .put("mailboxes", boxes)
        .put("received", received)
        .put("clientAddress", clientAddress)
        .put("helo", helo)
        .put("authResults", BusJson.authResults(authResults));
  }

  public static InboundEvent fromJson(JsonObject json) {
    List<Mailbox> boxes = new ArrayList<>();
    json.getJsonArray("mailboxes").forEach(o -> {
      JsonObject m = (JsonObject) o;
      boxes.add(new Mailbox(m.getString("recipient"), m.getString("path")));
    });
    return new InboundEvent(json.getString("queueId"), json.getString("sender"), boxes,
        json.getString("received"), json.getString("clientAddress"), json.getString("helo"),
        BusJson.authResults(json.getJsonArray("authResults")));
  }
}
