package io.postino.admin;

import io.postino.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.util.List;

/**
 * The queue part of the admin API ({@code /api/queue...}, JSON, the token always): what
 * {@code postino queue ...} calls. Every request goes to every queue node of the cluster through
 * {@link QueueNodes}, so any node's admin port lists and manages all of them; messages are tagged
 * with their node. The README's "Managing the queue" shows each endpoint with an example.
 */
public final class QueueApi implements AdminRoutes {

  private final Vertx vertx;
  private final QueueNodes nodes;

  public QueueApi(Vertx vertx, Addresses addresses) {
    this.vertx = vertx;
    this.nodes = new QueueNodes(vertx, addresses);
  }

  @Override
  public void mount(Router router, AdminAccess access) {
    router.get("/api/queue").handler(access.requireToken()).handler(this::list);
    router.post("/api/queue/flush").handler(access.requireToken()).handler(this::flushAll);
    router.post("/api/queue/delete").handler(access.requireToken()).handler(this::deleteAll);
    router.get("/api/queue/:id").handler(access.requireToken()).handler(this::show);
    router.delete("/api/queue/:id").handler(access.requireToken()).handler(ctx -> change(ctx, "delete"));
    for (String op : List.of("hold", "release", "requeue")) {
      router.post("/api/queue/:id/" + op).handler(access.requireToken()).handler(ctx -> change(ctx, op));
    }
    // flushing one message is making it due now (postqueue -i)
    router.post("/api/queue/:id/flush").handler(access.requireToken()).handler(ctx -> change(ctx, "requeue"));
  }

  private void list(RoutingContext ctx) {
    reply(ctx, nodes.ask(new JsonObject().put("op", "list").put("filter", filter(ctx))).map(answers -> {
      JsonArray messages = new JsonArray();
      for (QueueNodes.Answer a : answers) {
        if (a.reply() != null) {
          for (Object m : a.reply().getJsonArray("messages")) {
            messages.add(((JsonObject) m).put("node", a.node().getString("node")).put("nodeId", a.node().getString("id")));
          }
        }
      }
      List<JsonObject> report = QueueNodes.report(answers, null);
      return new JsonObject().put("messages", messages).put("nodes", new JsonArray(List.copyOf(report)));
    }));
  }

  /** {@code ?deferred&hold&domain=D&sender=S}, as {@code io.postino.spool.QueueFilter} reads it. */
  private static JsonObject filter(RoutingContext ctx) {
    return new JsonObject()
        .put("deferred", flag(ctx, "deferred") || "all".equals(ctx.request().getParam("deferred")))
        .put("hold", flag(ctx, "hold"))
        .put("domain", ctx.request().getParam("domain"))
        .put("sender", ctx.request().getParam("sender"));
  }

  /** {@code ?deferred}, {@code ?deferred=true} or {@code =1}: on; absent or anything else: off. */
  private static boolean flag(RoutingContext ctx, String name) {
    String value = ctx.request().getParam(name);
    return value != null && (value.isEmpty() || value.equals("true") || value.equals("1"));
  }

  private void show(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    boolean body = flag(ctx, "body");
    nodes.ask(new JsonObject().put("op", "show").put("id", id)).onComplete(ar -> {
      if (ar.failed()) {
        fail(ctx, ar.cause());
        return;
      }
      for (QueueNodes.Answer a : ar.result()) {
        if (a.reply() != null && a.reply().getJsonObject("message") != null) {
          if (body) {
            sendContent(ctx, id, a.reply());
          } else {
            json(ctx, 200, a.reply().getJsonObject("message").put("node", a.node().getString("node"))
                .put("nodeId", a.node().getString("id")));
          }
          return;
        }
      }
      notFound(ctx, id, "in the queue");
    });
  }

  /**
   * The message as it is spooled (headers and body, {@code message/rfc822}), streamed from its file
   * (the operating system's sendfile), never read into memory. The file is the node's spool file,
   * which this node sees when the queue node is itself or shares the spool directory, as delivery
   * nodes do.
   */
  private void sendContent(RoutingContext ctx, String id, JsonObject shown) {
    // only a message file of a spool, whatever a participant on the bus answers
    Path file = Path.of(shown.getString("file"));
    String folder = file.getParent() == null ? "" : String.valueOf(file.getParent().getFileName());
    if (!file.getFileName().toString().equals(id) || !folder.equals("incoming") && !folder.equals("hold")) {
      json(ctx, 500, new JsonObject().put("error", "not a spool file: " + file));
      return;
    }
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "message/rfc822")
        .sendFile(shown.getString("file"), shown.getLong("contentOffset"), shown.getLong("contentLength"))
        .onFailure(e -> {
          if (!ctx.response().headWritten()) {
            ctx.response().headers().remove(HttpHeaders.CONTENT_TYPE);
            json(ctx, 404, new JsonObject().put("error", "the message's file cannot be read here: " + e.getMessage()));
          }
        });
  }

  private void change(RoutingContext ctx, String op) {
    String id = ctx.pathParam("id");
    nodes.ask(new JsonObject().put("op", op).put("id", id)).onComplete(ar -> {
      if (ar.failed()) {
        fail(ctx, ar.cause());
        return;
      }
      for (QueueNodes.Answer a : ar.result()) {
        if (a.reply() != null && a.reply().getBoolean("done", false)) {
          json(ctx, 200, new JsonObject().put("id", id).put("op", op).put("node", a.node().getString("node")));
          return;
        }
      }
      notFound(ctx, id, op.equals("release") ? "on hold" : "in the queue");
    });
  }

  private void flushAll(RoutingContext ctx) {
    String domain = ctx.request().getParam("domain");
    JsonObject request = new JsonObject().put("op", "flush");
    if (domain != null) {
      request.put("domain", domain);
    }
    reply(ctx, nodes.ask(request).map(answers -> counted(answers, "flushed", domain == null)));
  }

  /**
   * {@code ?all}, with the list's filters or none: every message they take ({@code postsuper -d
   * ALL}); {@code ?deferred=all} is {@code ?all&deferred}, as it was before {@code all}. The word
   * is required so that a request without its filters by mistake says so rather than empties the queue.
   */
  private void deleteAll(RoutingContext ctx) {
    if (!flag(ctx, "all") && !"all".equals(ctx.request().getParam("deferred"))) {
      json(ctx, 400, new JsonObject().put("error",
          "say ?all to delete every message the filters (deferred, hold, domain, sender) take (postsuper -d ALL)"));
      return;
    }
    reply(ctx, nodes.ask(new JsonObject().put("op", "deleteAll").put("filter", filter(ctx)))
        .map(answers -> counted(answers, "deleted", false)));
  }

  /** The sum of the nodes' counts under {@code name}, unless {@code all} (no count: everything). */
  private static JsonObject counted(List<QueueNodes.Answer> answers, String name, boolean all) {
    JsonObject result = new JsonObject();
    if (!all) {
      result.put(name, answers.stream().filter(a -> a.reply() != null).mapToInt(a -> a.reply().getInteger("count", 0)).sum());
    } else {
      result.put(name, "all");
    }
    return result.put("nodes", new JsonArray(List.copyOf(QueueNodes.report(answers, "count"))));
  }

  static void reply(RoutingContext ctx, Future<JsonObject> result) {
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        json(ctx, 200, ar.result());
      } else {
        fail(ctx, ar.cause());
      }
    });
  }

  private static void fail(RoutingContext ctx, Throwable e) {
    json(ctx, e instanceof IllegalArgumentException ? 400 : 500, new JsonObject().put("error", String.valueOf(e.getMessage())));
  }

  private static void notFound(RoutingContext ctx, String id, String where) {
    json(ctx, 404, new JsonObject().put("error", "no message " + id + " " + where).put("id", id));
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body.encodePrettily() + "\n");
  }
}
