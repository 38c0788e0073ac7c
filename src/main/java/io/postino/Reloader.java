package io.postino;

import io.postino.config.JsonDiff;
import io.postino.dns.MxResolverVerticle;
import io.postino.server.RecipientPolicy;
import io.postino.server.ServerOptions;
import io.postino.server.auth.Authenticator;
import io.postino.server.tls.TlsSupport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a new configuration to a running node, as far as it can be without a restart (as
 * {@code postfix reload}): the local domains and users, the trusted networks, the SMTP limits,
 * the policy hooks, the {@code dns} section (routes included) and the shutdown grace take effect
 * at once, for new sessions (a session in progress keeps what it started with); the TLS
 * certificate and the AUTH users file are read again. Anything else that changed (a port, a host,
 * a directory, the roles, ...) is named in a WARN line and waits for the next start.
 */
final class Reloader {

  private static final Logger log = LoggerFactory.getLogger(Postino.class);

  /** The {@code smtp} keys that the listening sockets or shared counters were built with. */
  private static final List<String> SMTP_AT_START = List.of("host", "port", "instances", "maxConnections",
      "maxSpoolBytesPerClient", "proxyProtocol");

  /** Top-level keys (and whole sections) that apply at once. */
  private static final List<String> AT_ONCE = List.of("localDomains", "localUsers", "trustedNetworks", "policy",
      "dns", "shutdownGrace", "smtp");

  private final Vertx vertx;
  private final AtomicReference<RecipientPolicy> policy;
  private final Listeners listeners;
  private final MxResolverVerticle resolver;
  private final TlsSupport tls;
  private final Authenticator auth;

  /**
   * @param listeners null without the listener role
   * @param resolver  null without the resolver role
   * @param tls       null when TLS is off
   * @param auth      null when AUTH is off
   */
  Reloader(Vertx vertx, AtomicReference<RecipientPolicy> policy, Listeners listeners, MxResolverVerticle resolver,
      TlsSupport tls, Authenticator auth) {
    this.vertx = vertx;
    this.policy = policy;
    this.listeners = listeners;
    this.resolver = resolver;
    this.tls = tls;
    this.auth = auth;
  }

  /** The paths of {@code changed} that wait for a restart. */
  static List<String> needsRestart(List<String> changed, PostinoOptions before, PostinoOptions after) {
    List<String> restart = new ArrayList<>();
    for (String path : changed) {
      String top = path.contains(".") ? path.substring(0, path.indexOf('.')) : path;
      // a nested key (smtp.proxyProtocol.timeout) goes by its smtp key
      String smtpKey = path.startsWith("smtp.") ? path.substring("smtp.".length()).split("\\.", 2)[0] : "";
      boolean smtpAtStart = SMTP_AT_START.contains(smtpKey);
      if (!AT_ONCE.contains(top) || smtpAtStart) {
        restart.add(path);
      }
    }
    // the first local domain is the one of a bare <postmaster>, which local delivery was built with
    if (!before.getLocalDomains().get(0).equalsIgnoreCase(after.getLocalDomains().get(0))) {
      restart.add("localDomains[0]");
    }
    return restart;
  }

  /**
   * Applies {@code next} over {@code running}; completes with the options now in force and what
   * changed. TLS and AUTH files that no longer load are logged, and the old ones kept.
   */
  Future<Applied> apply(PostinoOptions running, PostinoOptions next) {
    List<String> changed = JsonDiff.changedPaths(OptionsJson.of(running), OptionsJson.of(next));
    List<String> restart = needsRestart(changed, running, next);
    List<String> applied = new ArrayList<>(changed);
    applied.removeAll(restart);

    PostinoOptions now = new PostinoOptions(running)
        .setLocalDomains(next.getLocalDomains())
        .setLocalUsers(next.getLocalUsers())
        .setTrustedNetworks(next.getTrustedNetworks())
        .setPolicy(next.getPolicy())
        .setDns(next.getDns())
        .setShutdownGrace(next.getShutdownGrace())
        .setSmtp(smtpAtOnce(running.getSmtp(), next.getSmtp()));
    policy.set(now.recipientPolicy());
    if (listeners != null) {
      listeners.reconfigure(now.getSmtp(), policy.get(), Listeners.applicationPolicy(vertx, now),
          now.resolverOptions());
    }
    Future<Void> dns = resolver != null && applied.stream().anyMatch(p -> p.startsWith("dns."))
        ? resolver.reconfigure(now.resolverOptions())
        : Future.succeededFuture();
    // the files are read again even when their paths did not change: that is what a reload is for
    Future<Boolean> certificate = tls == null ? Future.succeededFuture(false) : tls.reload()
        .onFailure(e -> log.error("reload: TLS certificate not reloaded, the current one stays: {}", e.getMessage()));
    Future<Integer> users = auth == null ? Future.succeededFuture(0) : auth.reload()
        .onFailure(e -> log.error("reload: AUTH users not reloaded, the current ones stay: {}", e.getMessage()));
    return Future.join(dns, certificate, users).transform(ar -> {
      if (dns.failed()) {
        return Future.failedFuture(dns.cause());
      }
      log.info("configuration reloaded: {}", applied.isEmpty() ? "nothing changed that applies at once"
          : "now in force for new sessions: " + String.join(", ", applied));
      if (!restart.isEmpty()) {
        log.warn("configuration reloaded, but these changes need a restart to take effect: {}",
            String.join(", ", restart));
      }
      return Future.succeededFuture(new Applied(now, new Reloaded(applied, restart)));
    });
  }

  /** The options in force after a reload, and what it did. */
  record Applied(PostinoOptions options, Reloaded reloaded) {
  }

  /** The new {@code smtp} section, except what the listeners were started with. */
  private static ServerOptions smtpAtOnce(ServerOptions running, ServerOptions next) {
    JsonObject merged = next.toJson();
    JsonObject old = running.toJson();
    for (String key : SMTP_AT_START) {
      if (old.containsKey(key)) {
        merged.put(key, old.getValue(key));
      } else {
        merged.remove(key);
      }
    }
    return new ServerOptions(merged);
  }
}
