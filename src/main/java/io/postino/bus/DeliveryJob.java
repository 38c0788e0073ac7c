package io.postino.bus;

import io.postino.smtp.MailAddress;
import io.postino.smtp.MailParameters;
import io.postino.smtp.RcptParameters;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The request body of {@code postino.delivery.submit} (format version 1): deliver one spooled
 * message to some recipients, all in one domain.
 *
 * <pre>{@code
 * {"version": 1, "queueId": "01HV5Q8Z3K2M4AB", "domain": "example.com",
 *  "sender": "alice@example.org",
 *  "parameters": {"size": 2048, "body": "8BITMIME", "smtpUtf8": false, "ret": "HDRS", "envId": "x1"},
 *  "recipients": [{"address": "bob@example.com", "notify": ["FAILURE"], "orcpt": "rfc822;bob@example.com"}],
 *  "content": {"path": "/var/spool/postino/incoming/01HV5Q8Z3K2M4AB", "offset": 412, "length": 2048}}
 * }</pre>
 *
 * <p>The job names where the content lies instead of carrying it: the octets {@code [offset,
 * offset + length)} of {@code path}, ready to send (dot-stuffing is the sender's work). A delivery
 * node therefore needs the spool directory at the same path: the node that accepted the message,
 * or another one mounting the same file system. The sender is the empty string for {@code <>}.
 *
 * <p>An optional {@code "transport": "lmtp:unix:/run/dovecot/lmtp"} (or {@code "lmtp:host:port"})
 * sends the recipients there over LMTP instead of to the domain's mail exchangers.
 *
 * @param parameters the MAIL parameters to pass on: size, body type, SMTPUTF8, DSN RET and ENVID,
 *                   REQUIRETLS ({@code "requireTls": true}, absent when not given)
 * @param recipients in the order the results of the reply follow
 * @param lmtp       the LMTP server to deliver to, or null for the domain's route (MX or static)
 */
public record DeliveryJob(
    String queueId,
    String domain,
    MailAddress sender,
    MailParameters parameters,
    List<Recipient> recipients,
    Content content,
    Transport.Lmtp lmtp) {

  public static final int VERSION = 1;

  /**
   * An optional message header of the request: the time (epoch milliseconds) after which the
   * sender no longer waits for the reply and will retry the recipients itself. A job still
   * waiting for a delivery slot at that time is not run: its recipients fail for now (4.4.7).
   */
  public static final String DEADLINE_HEADER = "postino-deadline";

  public DeliveryJob {
    Objects.requireNonNull(queueId, "queueId");
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(parameters, "parameters");
    Objects.requireNonNull(content, "content");
    recipients = List.copyOf(recipients);
    if (recipients.isEmpty()) {
      throw new IllegalArgumentException("a job has at least one recipient");
    }
  }

  /** A job for the domain's route. */
  public DeliveryJob(String queueId, String domain, MailAddress sender, MailParameters parameters,
      List<Recipient> recipients, Content content) {
    this(queueId, domain, sender, parameters, recipients, content, null);
  }

  /** The same job for other recipients. */
  public DeliveryJob withRecipients(List<Recipient> others) {
    return new DeliveryJob(queueId, domain, sender, parameters, others, content, lmtp);
  }

  /** One recipient and its DSN parameters (RFC 3461 NOTIFY and ORCPT). */
  public record Recipient(MailAddress address, RcptParameters parameters) {
  }

  /** Where the message content lies. */
  public record Content(String path, long offset, long length) {
    public Content {
      Objects.requireNonNull(path, "path");
      if (offset < 0 || length < 0) {
        throw new IllegalArgumentException("negative offset or length");
      }
    }
  }

  public JsonObject toJson() {
    JsonArray rcpts = new JsonArray();
    recipients.forEach(r -> rcpts.add(BusJson.rcptParameters(r.parameters(),
        new JsonObject().put("address", BusJson.address(r.address())))));
    JsonObject json = new JsonObject()
        .put("version", VERSION)
        .put("queueId", queueId)
        .put("domain", domain)
        .put("sender", BusJson.address(sender))
        .put("parameters", BusJson.mailParameters(parameters))
        .put("recipients", rcpts)
        .put("content", new JsonObject()
            .put("path", content.path())
            .put("offset", content.offset())
            .put("length", content.length()));
    return lmtp == null ? json : json.put("transport", lmtp.spec());
  }

  /** Reads a job; throws {@link IllegalArgumentException} or another runtime exception when malformed. */
  public static DeliveryJob fromJson(JsonObject json) {
    BusJson.checkVersion(json, VERSION, "delivery job");
    List<Recipient> rcpts = new ArrayList<>();
    for (Object o : json.getJsonArray("recipients")) {
      JsonObject r = (JsonObject) o;
      rcpts.add(new Recipient(BusJson.address(r.getString("address")), BusJson.rcptParameters(r)));
    }
    JsonObject c = json.getJsonObject("content");
    String transport = json.getString("transport");
    Transport.Lmtp lmtp = null;
    if (transport != null) {
      if (!(Transport.parse(transport) instanceof Transport.Lmtp l)) {
        throw new IllegalArgumentException("a job's transport is lmtp:...: " + transport);
      }
      lmtp = l;
    }
    return new DeliveryJob(
        json.getString("queueId"),
        json.getString("domain"),
        BusJson.address(json.getString("sender")),
        BusJson.mailParameters(json.getJsonObject("parameters")),
        rcpts,
        new Content(c.getString("path"), c.getLong("offset"), c.getLong("length")),
        lmtp);
  }
}
