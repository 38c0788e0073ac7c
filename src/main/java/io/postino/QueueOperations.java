package io.postino;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What an operator does to the mail queue of a node, like Postfix's {@code postsuper} and
 * {@code postqueue}. A message is named by its queue id (the id in its {@code Received} header and
 * in the log). Every method may be called from any thread; the work is done on the queue manager's
 * context, and the future completes there.
 */
public interface QueueOperations {

  /**
   * Puts a message on hold ({@code postsuper -h}): it stays in the spool, untouched, until
   * released. A message in the middle of a delivery round is held when the round ends.
   *
   * @return true when the message was held, false when there is no such message in the queue
   */
  Future<Boolean> hold(String queueId);

  /**
   * Releases a held message ({@code postsuper -H}); it is tried at once, every recipient not
   * finished included.
   *
   * @return false when the message was not on hold
   */
  Future<Boolean> release(String queueId);

  /**
   * Makes a deferred message due now, so it is tried at once rather than at its retry time
   * ({@code postqueue -i}).
   *
   * @return true also when it is being delivered already; false when there is no such message
   */
  Future<Boolean> requeue(String queueId);

  /**
   * Deletes a message without any notice to anyone ({@code postsuper -d}).
   *
   * @return false when there is no such message
   */
  Future<Boolean> delete(String queueId);

  /** Makes every deferred message due now ({@code postqueue -f}); completes once the scan is started. */
  Future<Void> flush();

  /**
   * The messages in this node's queue, oldest first ({@code mailq}), each as in the admin API's
   * {@code GET /api/queue}: id, state (pending, deferred, active, hold), size, arrival, sender,
   * recipients with their state and last error, next attempt, attempts.
   */
  Future<JsonArray> list();

  /**
   * One message in detail ({@code postcat -q}), as the admin API's {@code GET /api/queue/{id}}:
   * the listing's fields, the envelope, each recipient's history, the header section.
   *
   * @return null when there is no such message
   */
  Future<JsonObject> show(String queueId);

  /** The queue ids of the messages on hold, sorted. */
  Future<List<String>> held();

  /** Messages in memory now (the active window, {@code queue.activeLimit} at most). */
  int activeCount();
}
