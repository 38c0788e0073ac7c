package io.postino;

import io.postino.queue.QueueManager;
import io.postino.spool.QueueFilter;
import io.postino.spool.Spool;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The operator's view of a node's queue: the queue manager's operations, and the spool's hold
 * queue, without handing out either (they are implementation, with methods no embedder should
 * call).
 */
final class QueueHandle implements QueueOperations {

  private final QueueManager manager;
  private final Spool spool;

  QueueHandle(QueueManager manager, Spool spool) {
    this.manager = manager;
    this.spool = spool;
  }

  @Override
  public Future<Boolean> hold(String queueId) {
    return manager.hold(queueId);
  }

  @Override
  public Future<Boolean> release(String queueId) {
    return manager.release(queueId);
  }

  @Override
  public Future<Boolean> requeue(String queueId) {
    return manager.requeue(queueId);
  }

  @Override
  public Future<Boolean> delete(String queueId) {
    return manager.delete(queueId);
  }

  @Override
  public Future<Void> flush() {
    return manager.flush();
  }

  @Override
  public Future<JsonArray> list() {
    return manager.list(QueueFilter.ALL).map(messages -> {
      JsonArray json = new JsonArray();
      messages.forEach(m -> json.add(m.toJson()));
      return json;
    });
  }

  @Override
  public Future<JsonObject> show(String queueId) {
    return manager.show(queueId).map(details -> details == null ? null : details.toJson());
  }

  @Override
  public Future<List<String>> held() {
    return spool.held();
  }

  @Override
  public int activeCount() {
    return manager.activeCount();
  }
}
