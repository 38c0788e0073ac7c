package io.postino;

import io.postino.admin.AdminOptions;
import io.postino.alias.AliasOptions;
import io.postino.config.JsonReader;
import io.postino.delivery.OutboundOptions;
import io.postino.dkim.DkimOptions;
import io.postino.dmarc.DmarcOptions;
import io.postino.spf.SpfOptions;
import io.postino.dns.MxResolverOptions;
import io.postino.local.MaildirOptions;
import io.postino.metrics.MetricsOptions;
import io.postino.queue.QueueOptions;
import io.postino.server.ListenerOptions;
import io.postino.server.PolicyOptions;
import io.postino.server.RecipientPolicy;
import io.postino.server.ServerOptions;
import io.postino.server.auth.AuthOptions;
import io.postino.server.tls.TlsOptions;
import io.postino.spool.SpoolSpace;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the JSON of {@code conf/postino.json} maps onto {@link PostinoOptions}: each key to its
 * setter or section, so that the options stay a typed builder and this stays the one map of the
 * file (the configuration reference of the README follows it).
 */
public final class ConfigurationFile {

  private ConfigurationFile() {
  }

  /** Every key a configuration may have, as a tree (see {@link JsonReader#knownKeys()}). */
  public static JsonObject knownKeys() {
    JsonReader root = JsonReader.of(new JsonObject());
    new PostinoOptions(root);
    return root.knownKeys();
  }

  /**
   * A configuration read without stopping at its first problem: the options (with the default in
   * place of each value that was wrong) and every problem (unknown keys with the nearest known
   * one, wrong types, values out of range), each naming its JSON path. For {@code check-config}.
   */
  public record Checked(PostinoOptions options, List<String> problems) {
  }

  /** Reads {@code json} as {@link Checked} says. */
  public static Checked check(JsonObject json) {
    JsonReader root = JsonReader.collecting(json);
    PostinoOptions options = new PostinoOptions(root);
    return new Checked(options, root.problems());
  }

  /** Reads every key of {@code root} into {@code options}; unknown keys are reported at the end. */
  static void read(JsonReader root, PostinoOptions options) {
    String hostname = root.string("hostname", null);
    if (hostname != null) {
      options.setHostname(hostname);
    }
    if (root.has("roles")) {
      List<String> names = root.stringList("roles", List.of());
      root.apply("roles", () -> options.setRoles(Role.fromNames(names)));
    }
    options.setSmtp(root.section("smtp", ServerOptions::new));
    options.setSubmission(root.section("submission",
        r -> new ListenerOptions(r, ListenerOptions.DEFAULT_SUBMISSION_PORT)));
    options.setSmtps(root.section("smtps", r -> new ListenerOptions(r, ListenerOptions.DEFAULT_SMTPS_PORT)));
    options.setTls(root.section("tls", TlsOptions::new));
    options.setAuth(root.section("auth", AuthOptions::new));
    List<String> domains = root.stringList("localDomains", RecipientPolicy.DEFAULT_LOCAL_DOMAINS);
    root.apply("localDomains", () -> options.setLocalDomains(domains));
    JsonReader users = root.object("localUsers");
    Map<String, List<String>> byDomain = new LinkedHashMap<>();
    for (String domain : users.fieldNames()) {
      byDomain.put(domain, users.stringList(domain, List.of()));
    }
    options.setLocalUsers(byDomain);
    List<String> networks = root.stringList("trustedNetworks", RecipientPolicy.DEFAULT_TRUSTED_NETWORKS);
    root.apply("trustedNetworks", () -> options.setTrustedNetworks(networks));
    root.section("spool", spool -> options
        .setSpoolDirectory(Path.of(spool.string("directory", PostinoOptions.DEFAULT_SPOOL_DIRECTORY)))
        .setSpoolMinFreeSpace(spool.longInteger("minFreeSpace", SpoolSpace.DEFAULT_MIN_FREE_SPACE)));
    options.setMaildir(root.section("maildir", MaildirOptions::new));
    options.setEventBusPrefix(root.object("eventBus").string("prefix", PostinoOptions.DEFAULT_EVENT_BUS_PREFIX));
    options.setQueue(root.section("queue", QueueOptions::new));
    options.setDelivery(root.section("delivery", OutboundOptions::new));
    options.setDns(root.section("dns", MxResolverOptions::new));
    options.setPolicy(root.section("policy", PolicyOptions::new));
    options.setCluster(root.section("cluster", ClusterOptions::new));
    options.setAdmin(root.section("admin", AdminOptions::new));
    Duration grace = root.seconds("shutdownGrace", PostinoOptions.DEFAULT_SHUTDOWN_GRACE);
    root.apply("shutdownGrace", () -> options.setShutdownGrace(grace));
    options.setMetrics(root.section("metrics", MetricsOptions::new));
    options.setDkim(root.section("dkim", DkimOptions::new));
    options.getSpf().set(root.section("spf", SpfOptions::new));
    options.getDmarc().set(root.section("dmarc", DmarcOptions::new));
    options.setAliases(new AliasOptions(root));
    JsonReader transport = root.object("transport");
    Map<String, String> entries = new LinkedHashMap<>();
    for (String key : transport.fieldNames()) {
      entries.put(key, transport.requiredString(key));
    }
    root.apply("transport", () -> options.setTransport(entries));
    root.reportUnknown();
  }
}
