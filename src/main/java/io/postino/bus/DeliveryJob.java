package io.postino.bus;

import io.postino.smtp.MailAddress;
import io.postino.smtp.MailParameters;
import io.postino.smtp.RcptParameters;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * The request body of {@code postino.delivery.submit}: deliver one spooled message to some
 * recipients, all in one domain.
 *
 * <pre>{@code
 * {"version": 2, "queueId": "01HV5Q8Z3K2M4AB", "domain": "example.com",
 *  "sender": "alice@example.org",
 *  "parameters": {"size": 2048, "body": "8BITMIME", "smtpUtf8": false, "ret": "HDRS", "envId": "x1"},
 *  "recipients": [{"address": "bob@example.com", "notify": ["FAILURE"], "orcpt": "rfc822;bob@example.com"}],
 *  "content": {"node": "5f0c...", "length": 2048,
 *              "path": "/var/spool/postino/incoming/01HV5Q8Z3K2M4AB", "offset": 412}}
 * }</pre>
 *
 * <p>The job names where the content lies instead of carrying it (see {@link Content}): the queue
 * node that owns the message, whose spool read service ({@link Addresses#spoolRead}) serves its
 * octets by queue id to a delivery node on any machine; the path and offset let a delivery
 * verticle on that same node read the file directly. The octets are ready to send (dot-stuffing
 * is the sender's work). Format version 2; a job that names neither a node nor inline data (only
 * a file, as version 1 did) is still written and read as version 1, so a file on a path the
 * delivery node sees works as before. The sender is the empty string for {@code <>}.
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

  /** The format version of a job that names a node or carries its content. */
  public static final int VERSION = 2;

  /** The format version of a job that names only a file: what version 1 was. */
  public static final int FILE_VERSION = 1;

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

  /** The same job with its content somewhere else (fetched from the node that owns it). */
  public DeliveryJob withContent(Content other) {
    return new DeliveryJob(queueId, domain, sender, parameters, recipients, other, lmtp);
  }

  /** One recipient and its DSN parameters (RFC 3461 NOTIFY and ORCPT). */
  public record Recipient(MailAddress address, RcptParameters parameters) {
  }

  /**
   * Where the message content lies: {@code length} octets that are, in order of preference for
   * the delivery side, in {@code data} (the content itself); or on the queue node {@code node},
   * served by its spool read service for the job's queue id (and, on that node only, at
   * {@code [offset, offset + length)} of {@code path}, when given); or, without a node, at that
   * range of the file {@code path}, which the delivery node must see.
   *
   * @param node the id of the queue node that owns the message, or null
   * @param path the spool file, or null
   * @param data the content itself, or null
   */
  public record Content(String node, String path, long offset, long length, Buffer data) {
    public Content {
      if (offset < 0 || length < 0) {
        throw new IllegalArgumentException("negative offset or length");
      }
      if (data != null && data.length() != length) {
        throw new IllegalArgumentException("inline content of " + data.length() + " octets, length " + length);
      }
      if (data == null && node == null) {
        Objects.requireNonNull(path, "path");
      }
    }

    /** The octets {@code [offset, offset + length)} of a file the delivery node must see. */
    public Content(String path, long offset, long length) {
      this(null, Objects.requireNonNull(path, "path"), offset, length, null);
    }

    /** Content owned by a queue node: the read service of {@code node}, or the file on that node. */
    public static Content onNode(String node, String path, long offset, long length) {
      return new Content(Objects.requireNonNull(node, "node"), path, offset, length, null);
    }

    /** The content itself, in the job. */
    public static Content inline(Buffer data) {
      return new Content(null, null, 0, data.length(), data);
    }

    /** Whether this is only a file, as format version 1 could say. */
    boolean fileOnly() {
      return node == null && data == null;
    }

    JsonObject toJson() {
      JsonObject json = new JsonObject();
      if (node != null) {
        json.put("node", node);
      }
      json.put("length", length);
      if (path != null) {
        json.put("path", path).put("offset", offset);
      }
      if (data != null) {
        json.put("data", Base64.getEncoder().encodeToString(data.getBytes()));
      }
      return json;
    }

    static Content fromJson(JsonObject json) {
      String data = json.getString("data");
      return new Content(json.getString("node"), json.getString("path"), json.getLong("offset", 0L),
          json.getLong("length"), data == null ? null : Buffer.buffer(Base64.getDecoder().decode(data)));
    }
  }

  public JsonObject toJson() {
    JsonArray rcpts = new JsonArray();
    recipients.forEach(r -> rcpts.add(BusJson.rcptParameters(r.parameters(),
        new JsonObject().put("address", BusJson.address(r.address())))));
    JsonObject json = new JsonObject()
        .put("version", content.fileOnly() ? FILE_VERSION : VERSION)
        .put("queueId", queueId)
        .put("domain", domain)
        .put("sender", BusJson.address(sender))
        .put("parameters", BusJson.mailParameters(parameters))
        .put("recipients", rcpts)
        .put("content", content.toJson());
    return lmtp == null ? json : json.put("transport", lmtp.spec());
  }

  /** Reads a job; throws {@link IllegalArgumentException} or another runtime exception when malformed. */
  public static DeliveryJob fromJson(JsonObject json) {
    Integer version = json.getInteger("version");
    if (version == null || (version != VERSION && version != FILE_VERSION)) {
      throw new IllegalArgumentException("unsupported delivery job version: " + json.getValue("version"));
    }
    List<Recipient> rcpts = new ArrayList<>();
    for (Object o : json.getJsonArray("recipients")) {
      JsonObject r = (JsonObject) o;
      rcpts.add(new Recipient(BusJson.address(r.getString("address")), BusJson.rcptParameters(r)));
    }
    Content content = Content.fromJson(json.getJsonObject("content"));
    if (version == FILE_VERSION && !content.fileOnly()) {
      throw new IllegalArgumentException("a version 1 job names a file only");
    }
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
        content,
        lmtp);
  }
}
