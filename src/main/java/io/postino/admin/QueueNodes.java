package io.postino.admin;

import io.postino.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Every queue node of the cluster (this node alone when not clustered), as the admin API reaches
 * them: the members announced in {@code <prefix>.admin.members} ({@link MemberAnnouncer}) with
 * the queue role, which serve their queue at {@code <prefix>.admin.queue.<node id>}
 * ({@code io.postino.queue.QueueAdminService}). A question goes to all of them at once; each
 * answer is tagged with its node ({@code {"id", "node": <host name>}}). A node whose address has no
 * consumer (it died without leaving the map, where its entry soon expires, or its consumer is not
 * known here yet) is left out.
 */
final class QueueNodes {

  /** Listing a large spool takes a while; a node that does not answer by then is reported as such. */
  static final long TIMEOUT_MILLIS = 60_000;

  /** One node's answer: its description ({@code {"id", "node"}}) and its reply, or why there is none. */
  record Answer(JsonObject node, JsonObject reply, String error) {
  }

  private final Vertx vertx;
  private final Addresses addresses;

  QueueNodes(Vertx vertx, Addresses addresses) {
    this.vertx = vertx;
    this.addresses = addresses;
  }

  /** Every member's description, by host name then id. */
  Future<List<JsonObject>> members() {
    return vertx.sharedData().<String, JsonObject>getAsyncMap(addresses.adminMembers())
        .compose(AsyncMap::entries).map(QueueNodes::sorted);
  }

  private static List<JsonObject> sorted(Map<String, JsonObject> entries) {
    List<JsonObject> members = new ArrayList<>(entries.values());
    members.sort(Comparator.comparing((JsonObject n) -> n.getString("hostname", "")).thenComparing(n -> n.getString("id")));
    return members;
  }

  /** The queue nodes, each as {@code {"id", "node"}}. */
  private Future<List<JsonObject>> nodes() {
    return members().map(members -> members.stream()
        .filter(m -> m.getJsonArray("roles", new JsonArray()).contains("queue"))
        .map(m -> new JsonObject().put("id", m.getString("id")).put("node", m.getString("hostname")))
        .toList());
  }

  /**
   * Asks every queue node; fails only when the nodes cannot be found. A request the node refused
   * as bad ({@code 400}) fails the whole with an {@link IllegalArgumentException}.
   */
  Future<List<Answer>> ask(JsonObject request) {
    return nodes().compose(nodes -> {
      List<Future<Answer>> answers = new ArrayList<>();
      for (JsonObject node : nodes) {
        answers.add(ask(node, request));
      }
      return Future.join(answers).transform(x -> {
        List<Answer> all = new ArrayList<>();
        for (Future<Answer> a : answers) {
          if (a.failed()) {
            return Future.failedFuture(a.cause());
          }
          if (a.result() != null) {
            all.add(a.result());
          }
        }
        return Future.succeededFuture(all);
      });
    });
  }

  /** One node's answer; null when the node has no consumer. */
  private Future<Answer> ask(JsonObject node, JsonObject request) {
    return vertx.eventBus().<JsonObject>request(addresses.adminQueue(node.getString("id")), request,
            new DeliveryOptions().setSendTimeout(TIMEOUT_MILLIS))
        .map(reply -> new Answer(node, reply.body(), null))
        .recover(e -> {
          if (e instanceof ReplyException r && r.failureType() == ReplyFailure.NO_HANDLERS) {
            return Future.succeededFuture();
          }
          if (e instanceof ReplyException r && r.failureCode() == 400) {
            return Future.failedFuture(new IllegalArgumentException(r.getMessage()));
          }
          return Future.succeededFuture(new Answer(node, null, String.valueOf(e.getMessage())));
        });
  }

  /** The node list of a reply: each node with what it said ({@code extra} of its reply) or its error. */
  static List<JsonObject> report(List<Answer> answers, String extra) {
    List<JsonObject> nodes = new ArrayList<>();
    for (Answer a : answers) {
      JsonObject n = a.node().copy();
      if (a.error() != null) {
        n.put("error", a.error());
      } else if (extra != null && a.reply().containsKey(extra)) {
        n.put(extra, a.reply().getValue(extra));
      }
      nodes.add(n);
    }
    return nodes;
  }
}
