package io.postino.spool;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;

/**
 * One message as {@code postino queue show} shows it: its listing entry, its whole envelope, the
 * history of each recipient (every result recorded, oldest first), its header section, and where
 * its content lies, to be streamed from there rather than read into memory.
 *
 * @param history one list per recipient, in envelope order: status-file lines
 *                {@code {"at": ..., "result": {...}}}
 * @param headers the header section, as received (cut at {@value QueueInspector#MAX_HEADER_OCTETS}
 *                octets)
 */
public record MessageDetails(QueuedMessage message, Envelope envelope, List<List<JsonObject>> history, String headers,
    Path file, long contentOffset, long contentLength) {

  public MessageDetails {
    history = List.copyOf(history);
  }

  /** The JSON of {@code GET /api/queue/{id}}: the listing's, with the envelope, histories and headers. */
  public JsonObject toJson() {
    JsonObject json = message.toJson();
    JsonArray recipients = json.getJsonArray("recipients");
    for (int i = 0; i < recipients.size(); i++) {
      recipients.getJsonObject(i).put("history", new JsonArray(List.copyOf(history.get(i))));
    }
    JsonObject env = envelope.toJson();
    return json
        .put("helo", envelope.helo())
        .put("clientAddress", envelope.clientAddress())
        .put("protocol", envelope.protocol())
        .put("authenticatedUser", envelope.authenticatedUser())
        .put("parameters", env.getJsonObject("parameters"))
        .put("headers", headers);
  }
}
