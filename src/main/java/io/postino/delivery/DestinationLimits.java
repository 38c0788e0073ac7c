package io.postino.delivery;

import io.postino.config.JsonReader;
import io.postino.config.Seconds;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The rate limits of outbound delivery and the per-domain exceptions to the limits, part of
 * {@link OutboundOptions} (keys {@code messagesPerMinute}, {@code connectionsPerMinute},
 * {@code throttlePeriod} and {@code destinationLimits} of the {@code "delivery"} object). Like
 * {@code maxConnectionsPerHost} and {@code maxConnectionsPerDomain}, they hold for the whole
 * cluster (see {@link SharedLimits}).
 *
 * <pre>
 * "destinationLimits": {"example.com": {"maxConnections": 5, "messagesPerMinute": 600}}
 * </pre>
 */
public final class DestinationLimits {

  /** No rate limit: large receivers are given their own in {@code destinationLimits}. */
  public static final int DEFAULT_MESSAGES_PER_MINUTE = 0;
  public static final int DEFAULT_CONNECTIONS_PER_MINUTE = 0;
  /** How long each halving after a "slow down" reply lasts before the limits grow back a step. */
  public static final Duration DEFAULT_THROTTLE_PERIOD = Duration.ofSeconds(60);

  /**
   * The limits of one recipient domain; 0 means the default ({@code maxConnectionsPerDomain},
   * {@code messagesPerMinute}, {@code connectionsPerMinute}).
   */
  public record Domain(int maxConnections, int messagesPerMinute, int connectionsPerMinute) {
    public Domain {
      notNegative("maxConnections", maxConnections);
      notNegative("messagesPerMinute", messagesPerMinute);
      notNegative("connectionsPerMinute", connectionsPerMinute);
    }

    JsonObject toJson() {
      return new JsonObject().put("maxConnections", maxConnections).put("messagesPerMinute", messagesPerMinute)
          .put("connectionsPerMinute", connectionsPerMinute);
    }
  }

  private int messagesPerMinute = DEFAULT_MESSAGES_PER_MINUTE;
  private int connectionsPerMinute = DEFAULT_CONNECTIONS_PER_MINUTE;
  private Duration throttlePeriod = DEFAULT_THROTTLE_PERIOD;
  private Map<String, Domain> domains = Map.of();

  public DestinationLimits() {
  }

  /** Reads its keys from the {@code "delivery"} object. */
  static DestinationLimits read(JsonReader json) {
    DestinationLimits limits = new DestinationLimits();
    limits.setMessagesPerMinute(json.integer("messagesPerMinute", DEFAULT_MESSAGES_PER_MINUTE));
    limits.setConnectionsPerMinute(json.integer("connectionsPerMinute", DEFAULT_CONNECTIONS_PER_MINUTE));
    limits.setThrottlePeriod(json.seconds("throttlePeriod", DEFAULT_THROTTLE_PERIOD));
    JsonReader perDomain = json.object("destinationLimits");
    Map<String, Domain> domains = new LinkedHashMap<>();
    for (String domain : perDomain.fieldNames()) {
      JsonReader d = perDomain.object(domain);
      domains.put(domain, new Domain(d.integer("maxConnections", 0), d.integer("messagesPerMinute", 0),
          d.integer("connectionsPerMinute", 0)));
    }
    limits.setDomains(domains);
    return limits;
  }

  /** Adds its keys to the {@code "delivery"} object. */
  void writeTo(JsonObject delivery) {
    JsonObject perDomain = new JsonObject();
    domains.forEach((domain, d) -> perDomain.put(domain, d.toJson()));
    delivery.put("messagesPerMinute", messagesPerMinute)
        .put("connectionsPerMinute", connectionsPerMinute)
        .put("throttlePeriod", Seconds.of(throttlePeriod))
        .put("destinationLimits", perDomain);
  }

  private static int notNegative(String name, int value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must not be negative: " + value);
    }
    return value;
  }

  public int getMessagesPerMinute() {
    return messagesPerMinute;
  }

  /** Messages sent to one recipient domain per minute, by the whole cluster; 0 for no limit. */
  public DestinationLimits setMessagesPerMinute(int messagesPerMinute) {
    this.messagesPerMinute = notNegative("messagesPerMinute", messagesPerMinute);
    return this;
  }

  public int getConnectionsPerMinute() {
    return connectionsPerMinute;
  }

  /** New connections opened for one recipient domain per minute, by the whole cluster; 0 for no limit. */
  public DestinationLimits setConnectionsPerMinute(int connectionsPerMinute) {
    this.connectionsPerMinute = notNegative("connectionsPerMinute", connectionsPerMinute);
    return this;
  }

  public Duration getThrottlePeriod() {
    return throttlePeriod;
  }

  /**
   * How long a domain's limits stay halved after it answered "slow down" (421, or 4.7.x about
   * rates or connections), before they grow back one step; each further such reply halves them
   * again, down to an eighth.
   */
  public DestinationLimits setThrottlePeriod(Duration throttlePeriod) {
    this.throttlePeriod = Seconds.positive("throttlePeriod", throttlePeriod);
    return this;
  }

  public Map<String, Domain> getDomains() {
    return domains;
  }

  /** Limits of particular recipient domains (names compared without case). */
  public DestinationLimits setDomains(Map<String, Domain> domains) {
    Map<String, Domain> lower = new LinkedHashMap<>();
    domains.forEach((d, limit) -> lower.put(d.toLowerCase(Locale.ROOT), limit));
    this.domains = Map.copyOf(lower);
    return this;
  }

  /** The limits of a domain (already in lower case), its own where set, else the defaults. */
  Domain forDomain(String domain, int defaultMaxConnections) {
    Domain own = domains.get(domain);
    if (own == null) {
      return new Domain(defaultMaxConnections, messagesPerMinute, connectionsPerMinute);
    }
    return new Domain(own.maxConnections() > 0 ? own.maxConnections() : defaultMaxConnections,
        own.messagesPerMinute() > 0 ? own.messagesPerMinute() : messagesPerMinute,
        own.connectionsPerMinute() > 0 ? own.connectionsPerMinute() : connectionsPerMinute);
  }
}
