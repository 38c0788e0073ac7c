package io.postino.bus;

import io.postino.authres.AuthResult;
import io.postino.smtp.MailAddress;
import io.postino.smtp.MailParameters;
import io.postino.smtp.RcptParameters;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON forms the event-bus messages share: addresses as {@code local@domain} strings (the
 * empty string for the null sender), the ESMTP parameters of MAIL and RCPT, and sender
 * authentication results.
 */
final class BusJson {

  private BusJson() {
  }

  /**
   * Sender authentication results, in order, each {@code {"method": "dkim", "result": "pass",
   * "reason": null, "properties": {"header.d": "example.org"}}}.
   */
  static JsonArray authResults(List<AuthResult> results) {
    JsonArray array = new JsonArray();
    for (AuthResult r : results) {
      JsonObject properties = new JsonObject();
      r.properties().forEach(properties::put);
      array.add(new JsonObject().put("method", r.method()).put("result", r.result()).put("reason", r.reason())
          .put("properties", properties));
    }
    return array;
  }

  /** The inverse of {@link #authResults(List)}; a missing array is no result. */
  static List<AuthResult> authResults(JsonArray array) {
    List<AuthResult> results = new ArrayList<>();
    if (array == null) {
      return results;
    }
    for (Object o : array) {
      JsonObject r = (JsonObject) o;
      Map<String, String> properties = new LinkedHashMap<>();
      JsonObject p = r.getJsonObject("properties", new JsonObject());
      p.fieldNames().forEach(k -> properties.put(k, p.getString(k)));
      results.add(new AuthResult(r.getString("method"), r.getString("result"), r.getString("reason"), properties));
    }
    return results;
  }

  static String address(MailAddress address) {
    return address.address();
  }

  /** The inverse of {@link #address}: the domain follows the last {@code @}, which a domain never holds. */
  static MailAddress address(String text) {
    if (text == null) {
      throw new IllegalArgumentException("missing address");
    }
    if (text.isEmpty()) {
      return MailAddress.NULL_SENDER;
    }
    int at = text.lastIndexOf('@');
    return at < 0 ? new MailAddress(text, "") : new MailAddress(text.substring(0, at), text.substring(at + 1));
  }

  static JsonObject mailParameters(MailParameters p) {
    JsonObject json = new JsonObject()
        .put("size", p.size())
        .put("body", p.body().keyword())
        .put("smtpUtf8", p.smtpUtf8());
    if (p.ret() != null) {
      json.put("ret", p.ret().name());
    }
    if (p.envId() != null) {
      json.put("envId", p.envId());
    }
    if (p.requireTls()) {
      json.put("requireTls", true);
    }
    return json;
  }

  static MailParameters mailParameters(JsonObject json) {
    if (json == null) {
      return MailParameters.NONE;
    }
    MailParameters.Body body = body(json.getString("body", MailParameters.Body.SEVEN_BIT.keyword()));
    String ret = json.getString("ret");
    return new MailParameters(json.getLong("size", -1L), body, json.getBoolean("smtpUtf8", false), null,
        ret == null ? null : MailParameters.Ret.valueOf(ret.toUpperCase(Locale.ROOT)), json.getString("envId"),
        json.getBoolean("requireTls", false));
  }

  /** A BODY keyword (RFC 6152, RFC 3030): 7BIT, 8BITMIME or BINARYMIME, in any case. */
  static MailParameters.Body body(String keyword) {
    for (MailParameters.Body b : MailParameters.Body.values()) {
      if (b.keyword().equalsIgnoreCase(keyword)) {
        return b;
      }
    }
    throw new IllegalArgumentException("unknown body type: " + keyword);
  }

  static JsonObject rcptParameters(RcptParameters p, JsonObject into) {
    if (!p.notifications().isEmpty()) {
      JsonArray notify = new JsonArray();
      p.notifications().stream().sorted().forEach(n -> notify.add(n.name()));
      into.put("notify", notify);
    }
    if (p.orcpt() != null) {
      into.put("orcpt", p.orcpt());
    }
    return into;
  }

  static RcptParameters rcptParameters(JsonObject json) {
    EnumSet<RcptParameters.Notify> notify = EnumSet.noneOf(RcptParameters.Notify.class);
    JsonArray array = json.getJsonArray("notify");
    if (array != null) {
      array.forEach(n -> notify.add(RcptParameters.Notify.valueOf(String.valueOf(n).toUpperCase(Locale.ROOT))));
    }
    return new RcptParameters(notify, json.getString("orcpt"));
  }

  /** A sender given by an application: the empty string for {@code <>}, else a valid mailbox. */
  static MailAddress reversePath(String text) {
    return text.isEmpty() ? MailAddress.NULL_SENDER : MailAddress.parse(text);
  }

  /** A member that must be a string. */
  static String requiredString(JsonObject json, String key) {
    if (!(json.getValue(key) instanceof String value)) {
      throw new IllegalArgumentException("\"" + key + "\" must be a string");
    }
    return value;
  }

  /** A member that must be an array when present; empty when absent. */
  static JsonArray optionalArray(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return new JsonArray();
    }
    if (!(value instanceof JsonArray array)) {
      throw new IllegalArgumentException("\"" + key + "\" must be an array");
    }
    return array;
  }

  static void checkVersion(JsonObject json, int version, String what) {
    Integer v = json.getInteger("version");
    if (v == null || v != version) {
      throw new IllegalArgumentException("unsupported " + what + " version: " + json.getValue("version"));
    }
  }
}
