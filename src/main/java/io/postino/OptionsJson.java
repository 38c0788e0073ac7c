package io.postino;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A whole {@link PostinoOptions} as the JSON document that would configure it, defaults filled in,
 * secrets included: what a reload compares (the paths, never the values, are logged), key by key, to say what changed.
 */
final class OptionsJson {

  private OptionsJson() {
  }

  static JsonObject of(PostinoOptions o) {
    JsonObject users = new JsonObject();
    o.getLocalUsers().forEach((domain, list) -> users.put(domain, new JsonArray(list)));
    JsonObject json = new JsonObject()
        .put("hostname", o.getHostname())
        .put("roles", new JsonArray(o.getRoles().stream().map(Role::jsonName).sorted().toList()))
        .put("smtp", o.getSmtp().toJson())
        .put("submission", o.getSubmission().toJson())
        .put("smtps", o.getSmtps().toJson())
        .put("tls", o.getTls().toJson())
        .put("auth", o.getAuth().toJson())
        .put("localDomains", new JsonArray(o.getLocalDomains()))
        .put("localUsers", users)
        .put("trustedNetworks", new JsonArray(o.getTrustedNetworks()))
        .put("spool", new JsonObject().put("directory", o.getSpoolDirectory().toString()))
        .put("maildir", new JsonObject().put("root", o.getMaildir().getRoot())
            .put("fileMode", o.getMaildir().getFileMode()).put("directoryMode", o.getMaildir().getDirectoryMode())
            .put("subaddressFolders", o.getMaildir().isSubaddressFolders()))
        .put("eventBus", new JsonObject().put("prefix", o.getEventBusPrefix()))
        .put("queue", o.getQueue().toJson())
        .put("delivery", o.getDelivery().toJson(true))
        .put("dns", o.getDns().toJson())
        .put("policy", o.getPolicy().toJson())
        .put("spf", o.getSpf().toJson())
        .put("dmarc", o.getDmarc().toJson())
        .put("cluster", o.getCluster().toJson())
        .put("transport", new JsonObject(new java.util.LinkedHashMap<>(o.getTransport())))
        .put("shutdownGrace", o.getShutdownGrace().toNanos() / 1e9);
    o.getAliases().putJson(json);
    return json;
  }
}
