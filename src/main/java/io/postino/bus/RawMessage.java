package io.postino.bus;

import io.postino.smtp.MailAddress;
import io.postino.smtp.MailParameters.Body;
import io.postino.smtp.MessageText;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * A {@link SendRequest} in the {@code "raw"} form: an envelope and the message as RFC 5322
 * content, headers included, spooled as it is (after a {@code Received:} header Postino adds).
 *
 * <pre>{@code
 * {"version": 1, "form": "raw", "sender": "app@example.org", "recipients": ["bob@example.com"],
 *  "content": "From: app@example.org\r\nTo: bob@example.com\r\nSubject: Hello\r\n\r\nHi Bob\r\n"}
 * }</pre>
 *
 * <p>{@code content} is text: its line ends become CRLF and it is spooled as UTF-8. Content that
 * is not text, or must keep its octets exactly, goes as {@code "contentBase64"} (standard base64,
 * no line breaks) instead. {@code "body"} is {@code 7BIT}, {@code 8BITMIME} (the default when an
 * octet is above 127) or {@code BINARYMIME} (sent with BDAT, octets untouched; only to hosts that
 * offer it). {@code "smtpUtf8": true} says that the headers hold UTF-8 (RFC 6532); it is implied
 * when an address needs it. {@code sender} is {@code ""} for the null sender {@code <>}.
 *
 * @param content the content octets, never held anywhere but in this request
 * @param body    the BODY type the content needs; never 7BIT for content with 8-bit octets
 */
public record RawMessage(
    MailAddress sender,
    List<MailAddress> recipients,
    byte[] content,
    Body body,
    boolean smtpUtf8) implements SendRequest {

  public static final String FORM = "raw";

  public RawMessage {
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(body, "body");
    recipients = List.copyOf(recipients);
    if (recipients.isEmpty()) {
      throw new IllegalArgumentException("a message needs at least one recipient");
    }
    if (content.length == 0) {
      throw new IllegalArgumentException("empty content");
    }
    if (body == Body.SEVEN_BIT && MessageText.hasEightBit(content)) {
      throw new IllegalArgumentException("content has 8-bit octets: body must be 8BITMIME or BINARYMIME");
    }
    smtpUtf8 |= sender.isInternationalized() || recipients.stream().anyMatch(MailAddress::isInternationalized);
  }

  /** A message given as text: line ends become CRLF, the BODY type follows from the content. */
  public static RawMessage text(String sender, List<String> recipients, String content) {
    return octets(sender, recipients, MessageText.toCrlf(content).getBytes(StandardCharsets.UTF_8));
  }

  /** A message given as octets, kept exactly; the BODY type follows from the content. */
  public static RawMessage octets(String sender, List<String> recipients, byte[] content) {
    return new RawMessage(BusJson.reversePath(sender), recipients.stream().map(MailAddress::parse).toList(), content,
        MessageText.hasEightBit(content) ? Body.EIGHT_BIT_MIME : Body.SEVEN_BIT, false);
  }

  /** The same message with another BODY type, e.g. BINARYMIME to have it sent with BDAT. */
  public RawMessage withBody(Body other) {
    return new RawMessage(sender, recipients, content, other, smtpUtf8);
  }

  /** The same message, saying whether its headers hold UTF-8 (RFC 6532). */
  public RawMessage withSmtpUtf8(boolean utf8) {
    return new RawMessage(sender, recipients, content, body, utf8);
  }

  @Override
  public JsonObject toJson() {
    JsonArray rcpts = new JsonArray();
    recipients.forEach(r -> rcpts.add(r.address()));
    JsonObject json = new JsonObject()
        .put("version", VERSION)
        .put("form", FORM)
        .put("sender", sender.address())
        .put("recipients", rcpts);
    String text = asText(content);
    if (text != null) {
      json.put("content", text);
    } else {
      json.put("contentBase64", Base64.getEncoder().encodeToString(content));
    }
    return json.put("body", body.keyword()).put("smtpUtf8", smtpUtf8);
  }

  static RawMessage fromJson(JsonObject json, ContentBudget budget) {
    MailAddress sender = BusJson.reversePath(BusJson.requiredString(json, "sender"));
    List<MailAddress> rcpts = new ArrayList<>();
    for (Object r : BusJson.optionalArray(json, "recipients")) {
      if (!(r instanceof String address)) {
        throw new IllegalArgumentException("\"recipients\" must be strings");
      }
      rcpts.add(MailAddress.parse(address));
    }
    boolean isText = json.containsKey("content");
    if (isText == json.containsKey("contentBase64")) {
      throw new IllegalArgumentException("give one of \"content\" and \"contentBase64\"");
    }
    byte[] content = isText
        ? MessageText.toCrlf(budget.text(BusJson.requiredString(json, "content"), "content"))
            .getBytes(StandardCharsets.UTF_8)
        : budget.base64(BusJson.requiredString(json, "contentBase64"), "contentBase64");
    String body = json.getString("body");
    return new RawMessage(sender, rcpts, content,
        body != null ? BusJson.body(body) : MessageText.hasEightBit(content) ? Body.EIGHT_BIT_MIME : Body.SEVEN_BIT,
        json.getBoolean("smtpUtf8", false));
  }

  /** The content as the text that reads back to the same octets, or null when there is none. */
  private static String asText(byte[] octets) {
    String text = new String(octets, StandardCharsets.UTF_8);
    boolean same = Arrays.equals(text.getBytes(StandardCharsets.UTF_8), octets) && MessageText.toCrlf(text).equals(text);
    return same ? text : null;
  }
}
