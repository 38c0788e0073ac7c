package io.postino.bus;

import io.postino.smtp.MailAddress;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The request body of {@code postino.send} (format version 1): a message for Postino to spool
 * and deliver like one received over SMTP, in one of two forms told apart by {@code "form"}:
 * {@link RawMessage} ({@code "raw"}: an envelope and RFC 5322 content) or
 * {@link StructuredMessage} ({@code "structured"}: header fields, text, HTML and attachments, from
 * which Postino builds the MIME message).
 *
 * <p>The reply is a {@link SendReply} once the message is durably in the spool. A request that
 * cannot be taken is failed with {@link SendReply#BAD_REQUEST} (malformed, an invalid address,
 * larger than {@code smtp.maxMessageSize}: sending it again will not help) or
 * {@link SendReply#SPOOL_FAILURE} (try again later).
 */
public sealed interface SendRequest permits RawMessage, StructuredMessage {

  int VERSION = 1;

  /** The envelope sender (reverse path); {@link MailAddress#NULL_SENDER} for {@code <>}. */
  MailAddress sender();

  /** The envelope recipients, in order. */
  List<MailAddress> recipients();

  JsonObject toJson();

  /** Reads a request of any size; see {@link #fromJson(JsonObject, long)}. */
  static SendRequest fromJson(JsonObject json) {
    return fromJson(json, Long.MAX_VALUE);
  }

  /**
   * Reads a request whose content (raw content, or text, HTML and attachments together) may take
   * at most {@code maxContentOctets}; a larger one is refused before its strings are encoded or
   * its base64 decoded.
   *
   * @throws IllegalArgumentException or another runtime exception when the request is malformed,
   *     invalid or too large
   */
  static SendRequest fromJson(JsonObject json, long maxContentOctets) {
    BusJson.checkVersion(json, VERSION, "send request");
    ContentBudget budget = new ContentBudget(maxContentOctets);
    String form = json.getString("form");
    if (RawMessage.FORM.equals(form)) {
      return RawMessage.fromJson(json, budget);
    }
    if (StructuredMessage.FORM.equals(form)) {
      return StructuredMessage.fromJson(json, budget);
    }
    throw new IllegalArgumentException("unknown send request form: " + form);
  }
}
