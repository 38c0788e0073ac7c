package io.postino.bus;

import io.postino.smtp.MailAddress;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A {@link SendRequest} in the {@code "structured"} form: the fields of a message, from which
 * Postino builds it as MIME (with {@code Date} and {@code Message-ID} set): {@code text/plain},
 * {@code text/html}, or both as {@code multipart/alternative}; with attachments, all of that
 * inside a {@code multipart/mixed}.
 *
 * <pre>{@code
 * {"version": 1, "form": "structured",
 *  "from": {"name": "Alice", "address": "alice@example.org"},
 *  "to": ["bob@example.com"], "cc": [], "bcc": ["archive@example.org"],
 *  "subject": "Report", "text": "Hi Bob,\nthe report is attached.", "html": "<p>Hi Bob, ...</p>",
 *  "attachments": [{"filename": "report.pdf", "contentType": "application/pdf", "contentBase64": "JVBERi0x..."}]}
 * }</pre>
 *
 * <p>An address is a string, or an object with a display {@code name} and the {@code address}.
 * The envelope sender is the {@code from} address; the recipients are every address of
 * {@code to}, {@code cc} and {@code bcc}, each once; {@code bcc} is not written in the message.
 * {@code subject}, {@code text}, {@code html} and {@code attachments} are optional; text may use
 * {@code \n} line ends. Attachment content is standard base64 without line breaks.
 *
 * <p>SECURITY: display names, the subject and file names must not hold control characters (CR
 * and LF above all), so that no value can add a header of its own.
 */
public record StructuredMessage(
    NamedAddress from,
    List<NamedAddress> to,
    List<NamedAddress> cc,
    List<NamedAddress> bcc,
    String subject,
    String text,
    String html,
    List<Attachment> attachments) implements SendRequest {

  public static final String FORM = "structured";

  /** RFC 2045 token characters: a content type's type, subtype and parameter names. */
  private static final String TOKEN = "[!#$%&'*+.^_`{|}~0-9A-Za-z-]+";
  private static final Pattern CONTENT_TYPE = Pattern.compile(
      TOKEN + "/" + TOKEN + "(\\s*;\\s*" + TOKEN + "=(" + TOKEN + "|\"[^\"\\\\\\x00-\\x1f\\x7f]*\"))*");

  public StructuredMessage {
    Objects.requireNonNull(from, "from");
    to = List.copyOf(to);
    cc = List.copyOf(cc);
    bcc = List.copyOf(bcc);
    attachments = List.copyOf(attachments);
    if (to.isEmpty() && cc.isEmpty() && bcc.isEmpty()) {
      throw new IllegalArgumentException("a message needs at least one recipient in to, cc or bcc");
    }
    checkHeaderText(subject, "subject");
  }

  /** An address with an optional display name, as in {@code From: Alice <alice@example.org>}. */
  public record NamedAddress(String name, MailAddress address) {

    public NamedAddress {
      Objects.requireNonNull(address, "address");
      checkHeaderText(name, "a display name");
    }

    public static NamedAddress of(String address) {
      return new NamedAddress(null, MailAddress.parse(address));
    }

    public static NamedAddress of(String name, String address) {
      return new NamedAddress(name, MailAddress.parse(address));
    }

    Object toJson() {
      return name == null ? address.address() : new JsonObject().put("name", name).put("address", address.address());
    }

    static NamedAddress fromJson(Object json) {
      if (json instanceof String address) {
        return of(address);
      }
      if (json instanceof JsonObject o) {
        return new NamedAddress(o.getString("name"), MailAddress.parse(BusJson.requiredString(o, "address")));
      }
      throw new IllegalArgumentException("an address must be a string or an object with \"address\"");
    }
  }

  /**
   * A file sent along.
   *
   * @param contentType a MIME type, with parameters if needed: {@code application/pdf},
   *                    {@code text/csv; charset=UTF-8}
   */
  public record Attachment(String filename, String contentType, byte[] content) {

    public Attachment {
      Objects.requireNonNull(filename, "filename");
      Objects.requireNonNull(contentType, "contentType");
      Objects.requireNonNull(content, "content");
      if (filename.isBlank() || filename.length() > 255) {
        throw new IllegalArgumentException("an attachment's file name must have 1 to 255 characters");
      }
      checkHeaderText(filename, "a file name");
      if (!CONTENT_TYPE.matcher(contentType).matches()) {
        throw new IllegalArgumentException("not a content type: " + contentType);
      }
    }

    JsonObject toJson() {
      return new JsonObject()
          .put("filename", filename)
          .put("contentType", contentType)
          .put("contentBase64", Base64.getEncoder().encodeToString(content));
    }

    static Attachment fromJson(Object json, ContentBudget budget) {
      if (!(json instanceof JsonObject o)) {
        throw new IllegalArgumentException("an attachment must be an object");
      }
      return new Attachment(BusJson.requiredString(o, "filename"), BusJson.requiredString(o, "contentType"),
          budget.base64(BusJson.requiredString(o, "contentBase64"), "attachment " + o.getString("filename")));
    }
  }

  /** A message with text only; add the rest with the {@code with} methods. */
  public static StructuredMessage of(NamedAddress from, List<NamedAddress> to, String subject, String text) {
    return new StructuredMessage(from, to, List.of(), List.of(), subject, text, null, List.of());
  }

  public StructuredMessage withCc(List<NamedAddress> others) {
    return new StructuredMessage(from, to, others, bcc, subject, text, html, attachments);
  }

  public StructuredMessage withBcc(List<NamedAddress> others) {
    return new StructuredMessage(from, to, cc, others, subject, text, html, attachments);
  }

  public StructuredMessage withHtml(String otherHtml) {
    return new StructuredMessage(from, to, cc, bcc, subject, text, otherHtml, attachments);
  }

  /** The same message with one more attachment. */
  public StructuredMessage withAttachment(Attachment attachment) {
    List<Attachment> all = new ArrayList<>(attachments);
    all.add(attachment);
    return new StructuredMessage(from, to, cc, bcc, subject, text, html, all);
  }

  @Override
  public MailAddress sender() {
    return from.address();
  }

  /** Every address of to, cc and bcc, in that order, each once. */
  @Override
  public List<MailAddress> recipients() {
    Set<MailAddress> all = new LinkedHashSet<>();
    Stream.of(to, cc, bcc).flatMap(List::stream).forEach(a -> all.add(a.address()));
    return List.copyOf(all);
  }

  @Override
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("version", VERSION)
        .put("form", FORM)
        .put("from", from.toJson())
        .put("to", array(to, NamedAddress::toJson))
        .put("cc", array(cc, NamedAddress::toJson))
        .put("bcc", array(bcc, NamedAddress::toJson));
    if (subject != null) {
      json.put("subject", subject);
    }
    if (text != null) {
      json.put("text", text);
    }
    if (html != null) {
      json.put("html", html);
    }
    return json.put("attachments", array(attachments, Attachment::toJson));
  }

  static StructuredMessage fromJson(JsonObject json, ContentBudget budget) {
    String subject = json.getString("subject");
    String text = json.getString("text");
    String html = json.getString("html");
    return new StructuredMessage(
        NamedAddress.fromJson(json.getValue("from")),
        list(json, "to", NamedAddress::fromJson),
        list(json, "cc", NamedAddress::fromJson),
        list(json, "bcc", NamedAddress::fromJson),
        subject == null ? null : budget.text(subject, "subject"),
        text == null ? null : budget.text(text, "text"),
        html == null ? null : budget.text(html, "html"),
        list(json, "attachments", a -> Attachment.fromJson(a, budget)));
  }

  private static <T> JsonArray array(List<T> items, Function<T, Object> toJson) {
    JsonArray array = new JsonArray();
    items.forEach(i -> array.add(toJson.apply(i)));
    return array;
  }

  private static <T> List<T> list(JsonObject json, String key, Function<Object, T> fromJson) {
    List<T> items = new ArrayList<>();
    BusJson.optionalArray(json, key).forEach(o -> items.add(fromJson.apply(o)));
    return items;
  }

  /** Refuses control characters (a tab aside) in text that goes into a header. */
  private static void checkHeaderText(String value, String what) {
    if (value == null) {
      return;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        throw new IllegalArgumentException(what + " must not hold control characters");
      }
    }
  }
}
