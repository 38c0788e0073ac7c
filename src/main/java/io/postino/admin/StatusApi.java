package io.postino.admin;

import io.postino.bus.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code GET /api/status} (the token): this node (version, uptime, roles, listeners with their
 * ports), the queue counts by state summed over every queue node of the cluster, each queue node
 * with its own counts, and every member of the cluster as it announced itself. What
 * {@code postino status} prints.
 */
public final class StatusApi implements AdminRoutes {

  private final Vertx vertx;
  private final QueueNodes nodes;
  private final Supplier<JsonObject> node;

  /** @param node this node's description, made at each request (its uptime changes) */
  public StatusApi(Vertx vertx, Addresses addresses, Supplier<JsonObject> node) {
    this.vertx = vertx;
    this.nodes = new QueueNodes(vertx, addresses);
    this.node = node;
  }

  @Override
  public void mount(Router router, AdminAccess access) {
    router.get("/api/status").handler(access.requireToken()).handler(ctx ->
        QueueApi.reply(ctx, nodes.ask(new JsonObject().put("op", "counts")).map(answers -> {
          JsonObject total = new JsonObject();
          for (QueueNodes.Answer a : answers) {
            if (a.reply() != null) {
              a.reply().getJsonObject("counts").forEach(e ->
                  total.put(e.getKey(), total.getInteger(e.getKey(), 0) + ((Number) e.getValue()).intValue()));
            }
          }
          List<JsonObject> report = QueueNodes.report(answers, "counts");
          return node.get()
              .put("clustered", vertx.isClustered())
              .put("queue", total)
              .put("queueNodes", new JsonArray(List.copyOf(report)));
        }).compose(status -> nodes.members().map(members -> status.put("members", new JsonArray(members))))));
  }
}
