package io.postino.queue;

import io.postino.bus.Addresses;
import io.postino.spool.MessageDetails;
import io.postino.spool.QueueFilter;
import io.postino.spool.QueuedMessage;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The operator's operations on this node's queue, served on the event bus at
 * {@code <prefix>.admin.queue.<node id>}, so that the admin API of any node of a cluster lists
 * and manages the queues of all of them; the node id is the one the node announces itself with
 * (see {@code io.postino.admin.MemberAnnouncer}), once this consumer is registered.
 *
 * <p>Requests are JSON objects {@code {"op": ..., ...}}:
 * <pre>{@code
 * {"op":"list","filter":{"deferred":true,"domain":"example.com"}} -> {"messages":[...]}
 * {"op":"show","id":"Q"}            -> {"message":{...},"file":"/spool/incoming/Q","contentOffset":N,"contentLength":N}
 *                                      or {"message":null}
 * {"op":"hold"|"release"|"requeue"|"delete","id":"Q"} -> {"done":true|false}
 * {"op":"flush"}                    -> {}       every deferred message due now
 * {"op":"flush","domain":"D"}       -> {"count":N}
 * {"op":"deleteAll","filter":{...}} -> {"count":N}  every message the filter (as list's) takes
 * {"op":"counts"}                   -> {"counts":{"active":N,"deferred":N,"hold":N,"pending":N,"total":N}}
 * }</pre>
 * A failure is a {@link ReplyException} with code 400 (bad request) or 500 and the reason.
 *
 * <p>SECURITY: anyone on the event bus may call these, as anyone on it may already send mail
 * through {@code postino.send}: the bus of a cluster must be private (see the README).
 */
public final class QueueAdminService extends VerticleBase {


  private final QueueManager queue;
  private final Addresses addresses;
  private final String nodeId;

  /** @param nodeId this node's id in the cluster */
  public QueueAdminService(QueueManager queue, Addresses addresses, String nodeId) {
    this.queue = queue;
    this.addresses = addresses;
    this.nodeId = nodeId;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<JsonObject>consumer(addresses.adminQueue(nodeId), this::handle).completion();
  }

  private void handle(Message<JsonObject> request) {
    JsonObject body = request.body();
    Future<JsonObject> reply;
    try {
      reply = dispatch(body == null ? new JsonObject() : body);
    } catch (IllegalArgumentException | ClassCastException e) {
      request.fail(400, String.valueOf(e.getMessage()));
      return;
    }
    reply.onComplete(ar -> {
      if (ar.succeeded()) {
        request.reply(ar.result());
      } else if (ar.cause() instanceof IllegalArgumentException) {
        request.fail(400, ar.cause().getMessage());
      } else {
        request.fail(500, String.valueOf(ar.cause().getMessage()));
      }
    });
  }

  private Future<JsonObject> dispatch(JsonObject body) {
    String op = body.getString("op", "");
    String id = body.getString("id");
    switch (op) {
      case "list":
        return queue.list(QueueFilter.fromJson(body.getJsonObject("filter")))
            .map(list -> new JsonObject().put("messages", toJson(list)));
      case "show":
        return queue.show(required(id)).map(QueueAdminService::shown);
      case "hold":
        return done(queue.hold(required(id)));
      case "release":
        return done(queue.release(required(id)));
      case "requeue":
        return done(queue.requeue(required(id)));
      case "delete":
        return done(queue.delete(required(id)));
      case "flush":
        String domain = body.getString("domain");
        return domain == null ? queue.flush().map(v -> new JsonObject())
            : queue.flush(domain).map(n -> new JsonObject().put("count", n));
      case "deleteAll":
        return queue.delete(QueueFilter.fromJson(body.getJsonObject("filter"))).map(n -> new JsonObject().put("count", n));
      case "counts":
        return queue.list(QueueFilter.ALL).map(QueueAdminService::counts);
      default:
        throw new IllegalArgumentException("unknown operation: " + op);
    }
  }

  private static String required(String id) {
    if (id == null) {
      throw new IllegalArgumentException("no queue id");
    }
    return id;
  }

  private static Future<JsonObject> done(Future<Boolean> operation) {
    return operation.map(done -> new JsonObject().put("done", done));
  }

  private static JsonArray toJson(List<QueuedMessage> messages) {
    JsonArray array = new JsonArray();
    messages.forEach(m -> array.add(m.toJson()));
    return array;
  }

  private static JsonObject shown(MessageDetails details) {
    if (details == null) {
      return new JsonObject().putNull("message");
    }
    return new JsonObject().put("message", details.toJson()).put("file", details.file().toString())
        .put("contentOffset", details.contentOffset()).put("contentLength", details.contentLength());
  }

  /** Messages by state, every state present (0 when none). */
  static JsonObject counts(List<QueuedMessage> messages) {
    Map<QueuedMessage.State, Integer> byState = new EnumMap<>(QueuedMessage.State.class);
    for (QueuedMessage.State s : QueuedMessage.State.values()) {
      byState.put(s, 0);
    }
    messages.forEach(m -> byState.merge(m.state(), 1, Integer::sum));
    JsonObject counts = new JsonObject();
    byState.forEach((s, n) -> counts.put(s.jsonName(), n));
    return new JsonObject().put("counts", counts.put("total", messages.size()));
  }
}
