package io.postino.bus;

import io.postino.authres.AuthResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What the server asks an application's policy consumer (format version 1): on
 * {@code postino.policy.rcpt} whether to take one more recipient, on {@code postino.policy.data}
 * whether to take a message whose content is complete.
 *
 * @param stage          {@code rcpt} or {@code data}
 * @param clientAddress  the client's IP address
 * @param helo           the name the client gave in HELO/EHLO
 * @param authenticatedUser the AUTH identity, or null
 * @param sender         the reverse path, {@code ""} for the null sender
 * @param recipients     for rcpt the recipient asked about; for data every accepted recipient
 * @param queueId        for data the message's queue id, else null
 * @param path           for data the spool file holding the message, else null
 * @param contentOffset  for data where the content starts in that file
 * @param size           for data the content's size in octets
 * @param authResults    for data the sender authentication results the message got (those of the
 *                       {@code Authentication-Results:} field in front of it), else empty
 */
public record PolicyRequest(
    String stage,
    String clientAddress,
    String helo,
    String authenticatedUser,
    String sender,
    List<String> recipients,
    String queueId,
    String path,
    long contentOffset,
    long size,
    List<AuthResult> authResults) {

  public static final int VERSION = 1;

  public PolicyRequest {
    recipients = List.copyOf(recipients);
    authResults = List.copyOf(authResults);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("version", VERSION)
        .put("stage", stage)
        .put("clientAddress", clientAddress)
        .put("helo", helo)
        .put("authenticatedUser", authenticatedUser)
        .put("sender", sender)
        .put("recipients", new JsonArray(recipients));
    if (queueId != null) {
      json.put("queueId", queueId).put("path", path).put("contentOffset", contentOffset).put("size", size)
          .put("authResults", BusJson.authResults(authResults));
    }
    return json;
  }

  public static PolicyRequest fromJson(JsonObject json) {
    List<String> rcpts = json.getJsonArray("recipients").stream().map(String.class::cast).toList();
    return new PolicyRequest(json.getString("stage"), json.getString("clientAddress"), json.getString("helo"),
        json.getString("authenticatedUser"), json.getString("sender"), rcpts, json.getString("queueId"),
        json.getString("path"), json.getLong("contentOffset", 0L), json.getLong("size", 0L),
        BusJson.authResults(json.getJsonArray("authResults")));
  }
}
