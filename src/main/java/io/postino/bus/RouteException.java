package io.postino.bus;

import io.vertx.core.VertxException;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * Why no route could be found for a domain: the failure a {@link MxResolver} future fails with.
 *
 * <p>A failure is either <b>permanent</b> (the domain cannot receive mail: bounce at once) or
 * <b>temporary</b> (DNS did not answer properly: keep the message and retry later, never bounce).
 * It carries the SMTP reply code and RFC 3463 enhanced status a bounce should report, and a
 * human-readable reason. Stackless: these are ordinary outcomes, not bugs.
 *
 * <p>JSON, the failure reply body of {@code postino.mx.resolve}: {@code {"domain": "example.org",
 * "permanent": true, "code": 556, "status": "5.1.10", "reason": "..."}}.
 */
public final class RouteException extends VertxException {

  private final String domain;
  private final boolean permanent;
  private final int code;
  private final String status;

  public RouteException(String domain, boolean permanent, int code, String status, String reason) {
    super(reason, true);
    this.domain = Objects.requireNonNull(domain, "domain");
    this.permanent = permanent;
    this.code = code;
    this.status = Objects.requireNonNull(status, "status");
    if (permanent != (code >= 500 && status.startsWith("5."))) {
      throw new IllegalArgumentException("a permanent failure has a 5xx code and status, a temporary one 4xx");
    }
  }

  /** RFC 7505: the domain publishes a null MX, it accepts no mail. */
  public static RouteException nullMx(String domain) {
    return new RouteException(domain, true, 556, "5.1.10",
        "domain " + domain + " does not accept mail (null MX)");
  }

  /** NXDOMAIN: the domain does not exist. */
  public static RouteException noSuchDomain(String domain) {
    return new RouteException(domain, true, 550, "5.1.2", "domain " + domain + " does not exist");
  }

  /** The text is not a domain name at all. */
  public static RouteException invalidDomain(String domain) {
    return new RouteException(String.valueOf(domain), true, 550, "5.1.2", "invalid domain name: " + domain);
  }

  /** The domain exists but no host to deliver to has an address. */
  public static RouteException noAddress(String domain, String detail) {
    return new RouteException(domain, true, 554, "5.4.4", "no route to " + domain + ": " + detail);
  }

  /** The best host for the domain is this server: delivering would loop (Postfix's wording). */
  public static RouteException loop(String domain) {
    return new RouteException(domain, true, 554, "5.4.6", "mail for " + domain + " loops back to myself");
  }

  /** DNS failed (timeout, SERVFAIL, REFUSED...): try again later. */
  public static RouteException temporary(String domain, String detail) {
    return new RouteException(domain, false, 451, "4.4.3", "temporary DNS failure for " + domain + ": " + detail);
  }

  public String domain() {
    return domain;
  }

  public boolean permanent() {
    return permanent;
  }

  /** The SMTP reply code a bounce or log line should show, e.g. 556. */
  public int code() {
    return code;
  }

  /** The RFC 3463 enhanced status, e.g. {@code 5.1.10}. */
  public String status() {
    return status;
  }

  public String reason() {
    return getMessage();
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("domain", domain)
        .put("permanent", permanent)
        .put("code", code)
        .put("status", status)
        .put("reason", reason());
  }

  public static RouteException fromJson(JsonObject json) {
    return new RouteException(json.getString("domain"), json.getBoolean("permanent"),
        json.getInteger("code"), json.getString("status"), json.getString("reason"));
  }
}
