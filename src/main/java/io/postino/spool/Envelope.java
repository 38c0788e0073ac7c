package io.postino.spool;

import io.postino.smtp.MailAddress;
import io.postino.smtp.MailParameters;
import io.postino.smtp.RcptParameters;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * What the spool keeps about a message besides its content: who sent it to whom, and how it
 * arrived. Written once, at acceptance; never changed afterwards.
 *
 * @param queueId        the id given to the client in {@code 250 ... queued as}
 * @param sender         the reverse path ({@link MailAddress#NULL_SENDER} for bounces)
 * @param mailParameters MAIL FROM parameters (BODY, SMTPUTF8, DSN RET/ENVID, REQUIRETLS...)
 * @param recipients     accepted recipients, in RCPT order
 * @param helo           the name the client gave in HELO/EHLO
 * @param clientAddress  the client's IP address
 * @param protocol       SMTP, ESMTP, ESMTPS, ESMTPA or ESMTPSA
 * @param authenticatedUser the AUTH identity, or null
 * @param received       when the message was accepted
 */
public record Envelope(
    String queueId,
    MailAddress sender,
    MailParameters mailParameters,
    List<Recipient> recipients,
    String helo,
    String clientAddress,
    String protocol,
    String authenticatedUser,
    Instant received) {

  public Envelope {
    recipients = List.copyOf(recipients);
  }

  /**
   * One accepted recipient and whether it is for a local domain (else it is relayed).
   *
   * @param sender the envelope sender of this recipient's copy when it is not the message's: the
   *     SRS form of it for a copy an alias forwards to another domain; null otherwise
   */
  public record Recipient(MailAddress address, RcptParameters parameters, boolean local, MailAddress sender) {

    public Recipient(MailAddress address, RcptParameters parameters, boolean local) {
      this(address, parameters, local, null);
    }
  }

  /** The envelope sender of {@code recipient}'s copy. */
  public MailAddress senderFor(Recipient recipient) {
    return recipient.sender() != null ? recipient.sender() : sender;
  }

  public List<Recipient> remoteRecipients() {
    return recipients.stream().filter(r -> !r.local()).toList();
  }

  public JsonObject toJson() {
    JsonArray rcpts = new JsonArray();
    for (Recipient r : recipients) {
      JsonObject o = new JsonObject()
          .put("local", r.address().localPart())
          .put("domain", r.address().domain())
          .put("isLocal", r.local());
      if (!r.parameters().notifications().isEmpty()) {
        JsonArray n = new JsonArray();
        r.parameters().notifications().stream().sorted().forEach(x -> n.add(x.name()));
        o.put("notify", n);
      }
      if (r.parameters().orcpt() != null) {
        o.put("orcpt", r.parameters().orcpt());
      }
      if (r.sender() != null) {
        o.put("sender", new JsonObject().put("local", r.sender().localPart()).put("domain", r.sender().domain()));
      }
      rcpts.add(o);
    }
    MailParameters p = mailParameters;
    JsonObject params = new JsonObject()
        .put("size", p.size())
        .put("body", p.body().name())
        .put("smtpUtf8", p.smtpUtf8());
    if (p.auth() != null) {
      params.put("auth", p.auth());
    }
    if (p.ret() != null) {
      params.put("ret", p.ret().name());
    }
    if (p.envId() != null) {
      params.put("envId", p.envId());
    }
    if (p.requireTls()) {
      // only when given, so that the files of earlier versions read the same
      params.put("requireTls", true);
    }
    return new JsonObject()
        .put("version", 1)
        .put("queueId", queueId)
        .put("sender", new JsonObject().put("local", sender.localPart()).put("domain", sender.domain()))
        .put("parameters", params)
        .put("recipients", rcpts)
        .put("helo", helo)
        .put("clientAddress", clientAddress)
        .put("protocol", protocol)
        .put("authenticatedUser", authenticatedUser)
        .put("received", received.toString());
  }

  /** The inverse of {@link #toJson()}; throws on anything missing or malformed. */
  public static Envelope fromJson(JsonObject json) {
    if (json.getInteger("version", 0) != 1) {
      throw new IllegalArgumentException("unknown envelope version: " + json.getValue("version"));
    }
    JsonObject s = json.getJsonObject("sender");
    MailAddress sender = new MailAddress(s.getString("local"), s.getString("domain"));
    JsonObject p = json.getJsonObject("parameters");
    MailParameters params = new MailParameters(
        p.getLong("size"),
        MailParameters.Body.valueOf(p.getString("body")),
        p.getBoolean("smtpUtf8"),
        p.getString("auth"),
        p.getString("ret") == null ? null : MailParameters.Ret.valueOf(p.getString("ret")),
        p.getString("envId"),
        p.getBoolean("requireTls", false));
    List<Recipient> rcpts = new ArrayList<>();
    for (Object o : json.getJsonArray("recipients")) {
      JsonObject r = (JsonObject) o;
      EnumSet<RcptParameters.Notify> notify = EnumSet.noneOf(RcptParameters.Notify.class);
      JsonArray n = r.getJsonArray("notify");
      if (n != null) {
        for (Object x : n) {
          notify.add(RcptParameters.Notify.valueOf((String) x));
        }
      }
      JsonObject own = r.getJsonObject("sender");
      rcpts.add(new Recipient(
          new MailAddress(r.getString("local"), r.getString("domain")),
          new RcptParameters(notify, r.getString("orcpt")),
          r.getBoolean("isLocal"),
          own == null ? null : new MailAddress(own.getString("local"), own.getString("domain"))));
    }
    if (rcpts.isEmpty()) {
      throw new IllegalArgumentException("envelope without recipients");
    }
    return new Envelope(
        json.getString("queueId"),
        sender,
        params,
        rcpts,
        json.getString("helo"),
        json.getString("clientAddress"),
        json.getString("protocol"),
        json.getString("authenticatedUser"),
        Instant.parse(json.getString("received")));
  }
}
