package io.postino.bus;

import io.postino.smtp.MailAddress;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Objects;

/**
 * What happened to one recipient in one delivery attempt: delivered, failed for now (retry), or
 * failed for good (bounce), with the reply that said so.
 *
 * <pre>{@code
 * {"recipient": "bob@example.com", "outcome": "permanent", "code": 550, "status": "5.1.1",
 *  "text": "<bob@example.com>: Recipient address rejected: User unknown",
 *  "remote": true, "mx": "mx1.example.com", "address": "192.0.2.1", "port": 25,
 *  "setupMillis": 120, "transferMillis": 45}
 * {"recipient": "carol@example.com", "outcome": "delivered", "code": 250, "status": "2.0.0",
 *  "text": "Ok: queued as 4Vx1", "remote": true, "mx": "mx1.example.com", "address": "192.0.2.1",
 *  "port": 25, "success": "passedOn"}
 * }</pre>
 *
 * @param code   the SMTP reply code: the remote server's, or the one Postino chose for a failure
 *               of its own (connection refused, DNS...)
 * @param status the RFC 3463 enhanced status, always present (derived from the code when the
 *               server gave none)
 * @param text   the reply text, lines joined with a space, or Postino's own reason
 * @param remote true when code and text are the remote server's reply (a DSN then reports them
 *               as {@code Diagnostic-Code: smtp; ...})
 * @param mx     the name of the host that answered, or null when none did
 * @param address the IP address of that host, or null
 * @param port   the port of that host, 0 when none answered
 * @param setupMillis    the time spent before the transaction could start: waiting for a
 *                       connection slot, the MX lookup, connecting (to every host tried), greeting,
 *                       EHLO, STARTTLS and AUTH; 0 when unknown or none (local delivery)
 * @param transferMillis the time of the transaction itself, from MAIL to the reply after the
 *                       content (for a local delivery, writing the mailboxes); 0 when unknown
 * @param success what a delivered recipient's success report (NOTIFY=SUCCESS) says, null for the
 *                other outcomes; when not given, {@link Success#RELAYED} for a remote server's
 *                reply and {@link Success#DELIVERED} otherwise
 * @param tls     the TLS policy and session of the host that answered, or null (no session: a
 *                local delivery, no host reached)
 */
public record RecipientResult(
    MailAddress recipient,
    Outcome outcome,
    int code,
    String status,
    String text,
    boolean remote,
    String mx,
    String address,
    int port,
    long setupMillis,
    long transferMillis,
    Success success,
    TlsSummary tls) {

  /** Delivered, transient failure (retry later) or permanent failure (bounce). */
  public enum Outcome {
    DELIVERED, TRANSIENT, PERMANENT;

    public String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Outcome fromJsonName(String name) {
      return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** The outcome an SMTP reply code means. */
    public static Outcome of(int code) {
      return code < 400 ? DELIVERED : code < 500 ? TRANSIENT : PERMANENT;
    }
  }

  /**
   * What became of a delivered recipient, as a success report (RFC 3464 {@code Action}) tells it:
   * final delivery here ({@code delivered}), handed to a host that does not offer DSN
   * ({@code relayed}: no further report will come), or handed to a host that offers DSN and took
   * the recipient's NOTIFY with it, so that the report is the next hop's to send and none comes
   * from here (as with Postfix).
   */
  public enum Success {
    DELIVERED, RELAYED, PASSED_ON;

    public String jsonName() {
      return this == PASSED_ON ? "passedOn" : name().toLowerCase(Locale.ROOT);
    }

    public static Success fromJsonName(String name) {
      return "passedOn".equals(name) ? PASSED_ON : valueOf(name.toUpperCase(Locale.ROOT));
    }
  }

  public RecipientResult {
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(text, "text");
    if (outcome != Outcome.DELIVERED) {
      success = null;
    } else if (success == null) {
      success = remote ? Success.RELAYED : Success.DELIVERED;
    }
  }

  /** A result without a TLS summary. */
  public RecipientResult(MailAddress recipient, Outcome outcome, int code, String status, String text,
      boolean remote, String mx, String address, int port, long setupMillis, long transferMillis, Success success) {
    this(recipient, outcome, code, status, text, remote, mx, address, port, setupMillis, transferMillis, success, null);
  }

  /** A result whose success, if any, is the default one (see {@code success}). */
  public RecipientResult(MailAddress recipient, Outcome outcome, int code, String status, String text,
      boolean remote, String mx, String address, int port, long setupMillis, long transferMillis) {
    this(recipient, outcome, code, status, text, remote, mx, address, port, setupMillis, transferMillis, null);
  }

  /** A result without port or times. */
  public RecipientResult(MailAddress recipient, Outcome outcome, int code, String status, String text,
      boolean remote, String mx, String address) {
    this(recipient, outcome, code, status, text, remote, mx, address, 0, 0, 0);
  }

  /** This result with the times it took (see the parameters of the same names). */
  public RecipientResult timed(long setupMillis, long transferMillis) {
    return new RecipientResult(recipient, outcome, code, status, text, remote, mx, address, port, setupMillis,
        transferMillis, success, tls);
  }

  /** This result with the TLS policy and session of the host that answered. */
  public RecipientResult withTls(TlsSummary tls) {
    return new RecipientResult(recipient, outcome, code, status, text, remote, mx, address, port, setupMillis,
        transferMillis, success, tls);
  }


  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("recipient", BusJson.address(recipient))
        .put("outcome", outcome.jsonName())
        .put("code", code)
        .put("status", status)
        .put("text", text)
        .put("remote", remote);
    if (mx != null) {
      json.put("mx", mx);
    }
    if (address != null) {
      json.put("address", address);
    }
    if (port != 0) {
      json.put("port", port);
    }
    if (setupMillis != 0) {
      json.put("setupMillis", setupMillis);
    }
    if (transferMillis != 0) {
      json.put("transferMillis", transferMillis);
    }
    if (success != null) {
      json.put("success", success.jsonName());
    }
    if (tls != null) {
      json.put("tls", tls.toJson());
    }
    return json;
  }

  public static RecipientResult fromJson(JsonObject json) {
    return new RecipientResult(
        BusJson.address(json.getString("recipient")),
        Outcome.fromJsonName(json.getString("outcome")),
        json.getInteger("code"),
        json.getString("status"),
        json.getString("text"),
        json.getBoolean("remote", false),
        json.getString("mx"),
        json.getString("address"),
        json.getInteger("port", 0),
        json.getLong("setupMillis", 0L),
        json.getLong("transferMillis", 0L),
        json.containsKey("success") ? Success.fromJsonName(json.getString("success")) : null,
        TlsSummary.fromJson(json.getJsonObject("tls")));
  }
}
