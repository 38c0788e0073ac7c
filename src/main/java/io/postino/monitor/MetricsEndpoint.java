package io.postino.monitor;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.postino.admin.AdminAccess;
import io.postino.admin.AdminRoutes;
import io.postino.metrics.PostinoMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.spi.metrics.MetricsProvider;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.impl.MicrometerMetrics;

/**
 * {@code GET /metrics}: the node's meters in the Prometheus text format, followed by Vert.x's own
 * (event loops, event bus, net servers) when the {@code Vertx} was built with Micrometer metrics
 * options and a Prometheus registry: Postino does not need them, but shows them when the
 * application that embeds it turned them on.
 */
public final class MetricsEndpoint implements AdminRoutes {

  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final Vertx vertx;
  private final PostinoMetrics metrics;
  private final NodeProbe probe;

  public MetricsEndpoint(Vertx vertx, PostinoMetrics metrics, NodeProbe probe) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.probe = probe;
  }

  @Override
  public void mount(Router router, AdminAccess access) {
    PrometheusMeterRegistry vertxRegistry = vertxRegistry(vertx, metrics.registry());
    router.get("/metrics").handler(access.requireTokenOffLoopback()).handler(ctx -> probe.refresh()
        // formatting every series is a few milliseconds of work with many domains: off the event loop
        .compose(v -> vertx.executeBlocking(() -> {
          String ours = metrics.scrape();
          return vertxRegistry == null ? ours : ours + vertxRegistry.scrape();
        }, false))
        .onSuccess(text -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE).end(text))
        .onFailure(ctx::fail));
  }

  /** The Prometheus registry of Vert.x's own metrics, when it has one that is not ours. */
  private static PrometheusMeterRegistry vertxRegistry(Vertx vertx, MeterRegistry ours) {
    if (vertx instanceof MetricsProvider provider && provider.getMetrics() instanceof MicrometerMetrics m
        && m.registry() instanceof PrometheusMeterRegistry registry && registry != ours) {
      return registry;
    }
    return null;
  }
}
