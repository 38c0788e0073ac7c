package io.postino.monitor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.postino.admin.AdminAccess;
import io.postino.admin.AdminRoutes;
import io.postino.metrics.PostinoMetrics;
import io.postino.metrics.QueueGauges;
import io.postino.metrics.RecentDeliveries;
import io.postino.metrics.Throughput;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The status page: {@code GET /status}, one self-contained HTML page (no CDN, nothing from the
 * internet) whose script polls {@code GET /status.json} every few seconds and draws the queue, the
 * last hour's throughput (an SVG chart), the recent deliveries and the cluster's members. The page
 * shows destination domains, never addresses: on loopback it is open to every local user.
 */
public final class StatusPage implements AdminRoutes {

  /** Read with the class, as a class's own bytes are: once, and never on a request's path. */
  private static final String PAGE = load("status.html");

  private final PostinoMetrics metrics;
  private final NodeProbe probe;

  public StatusPage(PostinoMetrics metrics, NodeProbe probe) {
    this.metrics = metrics;
    this.probe = probe;
  }

  private static String load(String name) {
    try (InputStream in = StatusPage.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void mount(Router router, AdminAccess access) {
    router.get("/status").handler(access.requireTokenOffLoopback()).handler(ctx -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
        .putHeader("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; "
            + "style-src 'unsafe-inline'; connect-src 'self'")
        .end(PAGE));
    router.get("/status.json").handler(access.requireTokenOffLoopback()).handler(ctx -> probe.refresh()
        .compose(v -> probe.node())
        .onSuccess(node -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(status(node).encode()))
        .onFailure(ctx::fail));
  }

  /** The figures the page shows, with {@code node} (see {@link NodeProbe#node}) under "node". */
  JsonObject status(JsonObject node) {
    MeterRegistry r = metrics.registry();
    QueueGauges.Counts q = metrics.queue().counts();
    JsonArray hour = new JsonArray();
    for (Throughput.Minute m : metrics.throughput().lastHour()) {
      JsonObject minute = new JsonObject().put("t", m.startMillis());
      for (Throughput.Kind k : Throughput.Kind.values()) {
        minute.put(k.name().toLowerCase(Locale.ROOT), m.counts()[k.ordinal()]);
      }
      hour.add(minute);
    }
    JsonArray recent = new JsonArray();
    for (RecentDeliveries.Entry e : metrics.recentDeliveries().entries()) {
      recent.add(new JsonObject().put("time", e.timeMillis()).put("queueId", e.queueId()).put("outcome", e.outcome())
          .put("domain", e.domain()).put("status", e.status()));
    }
    return new JsonObject()
        .put("now", System.currentTimeMillis())
        .put("node", node)
        .put("sessions", new JsonObject().put("open", (long) r.find("postino.sessions.open").gauges().stream()
            .mapToDouble(Gauge::value).sum()))
        .put("messages", new JsonObject()
            .put("accepted", total(r, "postino.messages.accepted"))
            .put("refused", total(r, "postino.messages.refused")))
        .put("deliveries", new JsonObject()
            .put("sent", total(r, "postino.deliveries", "outcome", "sent"))
            .put("deferred", total(r, "postino.deliveries", "outcome", "deferred"))
            .put("bounced", total(r, "postino.deliveries", "outcome", "bounced")))
        .put("queue", new JsonObject().put("active", q.active()).put("deferred", q.deferred()).put("hold", q.hold())
            .put("oldestAgeSeconds", (long) metrics.queue().oldestAgeSeconds()))
        .put("throughput", hour)
        .put("recent", recent);
  }

  private static long total(MeterRegistry r, String name, String... tags) {
    return (long) r.find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
  }
}
