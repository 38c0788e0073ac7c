package io.postino.metrics;

import io.postino.config.JsonReader;
import io.vertx.core.json.JsonObject;

/** The {@code "metrics"} object of the configuration. */
public final class MetricsOptions {

  public static final int DEFAULT_DOMAIN_LABELS = 50;
  public static final int DEFAULT_RECENT_DELIVERIES = 50;

  private int domainLabels = DEFAULT_DOMAIN_LABELS;
  private int recentDeliveries = DEFAULT_RECENT_DELIVERIES;

  public MetricsOptions() {
  }

  public MetricsOptions(MetricsOptions other) {
    this.domainLabels = other.domainLabels;
    this.recentDeliveries = other.recentDeliveries;
  }

  public MetricsOptions(JsonReader json) {
    setDomainLabels(json.integer("domainLabels", DEFAULT_DOMAIN_LABELS));
    setRecentDeliveries(json.integer("recentDeliveries", DEFAULT_RECENT_DELIVERIES));
  }

  public JsonObject toJson() {
    return new JsonObject().put("domainLabels", domainLabels).put("recentDeliveries", recentDeliveries);
  }

  /** Destination domains with a series of their own in {@code postino_deliveries_total}; later ones: {@code other}. */
  public int getDomainLabels() {
    return domainLabels;
  }

  public MetricsOptions setDomainLabels(int domainLabels) {
    if (domainLabels < 0) {
      throw new IllegalArgumentException("domainLabels must not be negative: " + domainLabels);
    }
    this.domainLabels = domainLabels;
    return this;
  }

  /** How many recent delivery results the status page keeps. */
  public int getRecentDeliveries() {
    return recentDeliveries;
  }

  public MetricsOptions setRecentDeliveries(int recentDeliveries) {
    if (recentDeliveries < 1) {
      throw new IllegalArgumentException("recentDeliveries must be positive: " + recentDeliveries);
    }
    this.recentDeliveries = recentDeliveries;
    return this;
  }
}
