package io.postino.monitor;

import io.postino.admin.AdminAccess;
import io.postino.admin.AdminRoutes;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /health/live} (the process answers: 200) and {@code GET /health/ready} (200 when
 * every {@link NodeProbe#readiness} check is up, 503 otherwise), each with a JSON body. Open to
 * anyone who reaches the port, as orchestrators' probes carry no token; they show no mail.
 */
public final class HealthEndpoints implements AdminRoutes {

  private final NodeProbe probe;

  public HealthEndpoints(NodeProbe probe) {
    this.probe = probe;
  }

  @Override
  public void mount(Router router, AdminAccess access) {
    router.get("/health/live").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(ctx -> probe.readiness().onComplete(ar -> {
      if (ar.failed()) {
        json(ctx, 503, new JsonObject().put("status", "DOWN").put("error", String.valueOf(ar.cause().getMessage())));
        return;
      }
      boolean up = ar.result().stream().allMatch(NodeProbe.Check::up);
      JsonArray checks = new JsonArray();
      ar.result().forEach(c -> checks.add(new JsonObject().put("id", c.id()).put("status", c.up() ? "UP" : "DOWN")
          .put("detail", c.detail())));
      json(ctx, up ? 200 : 503, new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", checks));
    }));
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(body.encodePrettily());
  }
}
