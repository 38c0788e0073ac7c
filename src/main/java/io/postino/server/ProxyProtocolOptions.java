package io.postino.server;

import io.postino.config.JsonReader;
import io.postino.config.Seconds;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;

/**
 * The PROXY protocol (HAProxy's, versions 1 and 2) on one listener behind a load balancer: every
 * connection must start with a header naming the client the balancer accepted, and the header is
 * believed only from the balancers listed here. The {@code "proxyProtocol"} object of a listener
 * ({@code "smtp"}, {@code "submission"}, {@code "smtps"}); absent, the listener reads no header.
 *
 * <p>SECURITY: whoever may send the header chooses the client address that relay, connection and
 * AUTH limits are decided on, so the list has no default and may not be empty.
 */
public final class ProxyProtocolOptions {

  /** Vert.x's default: a balancer sends the header at once, so this only bounds a silent peer. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private final List<String> trustedProxies;
  private final List<Cidr> networks;
  private final Duration timeout;

  /**
   * @param trustedProxies the balancers' addresses or networks ({@code 10.0.0.5}, {@code 10.0.0.0/24})
   * @param timeout how long a connection may stay silent before its header is complete (Vert.x's
   *     proxy protocol timeout is one of inactivity); then it is closed
   */
  public ProxyProtocolOptions(List<String> trustedProxies, Duration timeout) {
    if (trustedProxies.isEmpty()) {
      throw new IllegalArgumentException("trustedProxies must name at least one network");
    }
    this.trustedProxies = List.copyOf(trustedProxies);
    this.networks = this.trustedProxies.stream().map(Cidr::parse).toList();
    // Vert.x reads 0 as "no limit": a peer that never sends its header would hold its connection
    this.timeout = Seconds.positive("timeout", timeout);
    if (timeout.toMillis() == 0) {
      throw new IllegalArgumentException("timeout must be at least a millisecond: " + timeout);
    }
  }

  /** The {@code "proxyProtocol"} object of a listener, or null when the listener has none. */
  public static ProxyProtocolOptions read(JsonReader listener) {
    if (!listener.has("proxyProtocol")) {
      return null;
    }
    return listener.section("proxyProtocol", json -> new ProxyProtocolOptions(
        json.stringList("trustedProxies", List.of()), json.seconds("timeout", DEFAULT_TIMEOUT)));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("trustedProxies", new JsonArray(trustedProxies))
        .put("timeout", Seconds.of(timeout));
  }

  public List<String> getTrustedProxies() {
    return trustedProxies;
  }

  public Duration getTimeout() {
    return timeout;
  }

  /** Whether a header from the peer at {@code address} (raw IPv4 or IPv6 bytes) is believed. */
  public boolean isTrusted(byte[] address) {
    for (Cidr c : networks) {
      if (c.contains(address)) {
        return true;
      }
    }
    return false;
  }
}
