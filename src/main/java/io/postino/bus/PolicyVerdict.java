package io.postino.bus;

import io.vertx.core.json.JsonObject;

/**
 * A policy consumer's answer (format version 1): {@code {"accept": true}}, or a refusal with the
 * SMTP reply to give, e.g. {@code {"accept": false, "code": 550, "status": "5.7.1", "text":
 * "not here"}}. A refusal's code must be 4xx (try later) or 5xx (refused); status and text are
 * optional.
 */
public record PolicyVerdict(boolean accept, int code, String status, String text) {

  public static final PolicyVerdict ACCEPT = new PolicyVerdict(true, 250, null, null);

  public PolicyVerdict {
    if (!accept && (code < 400 || code > 599)) {
      throw new IllegalArgumentException("a refusal needs a 4xx or 5xx code: " + code);
    }
  }

  public static PolicyVerdict refuse(int code, String status, String text) {
    return new PolicyVerdict(false, code, status, text);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("version", 1).put("accept", accept);
    if (!accept) {
      json.put("code", code).put("status", status).put("text", text);
    }
    return json;
  }

  /** Reads an answer; anything malformed throws IllegalArgumentException. */
  public static PolicyVerdict fromJson(JsonObject json) {
    Boolean accept = json.getBoolean("accept");
    if (accept == null) {
      throw new IllegalArgumentException("policy verdict without \"accept\"");
    }
    if (accept) {
      return ACCEPT;
    }
    Integer code = json.getInteger("code", 550);
    return new PolicyVerdict(false, code, json.getString("status"), json.getString("text"));
  }
}
