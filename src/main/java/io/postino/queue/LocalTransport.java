package io.postino.queue;

import io.postino.spool.Envelope;
import io.postino.spool.SpooledMessage;
import io.vertx.core.Future;
import java.util.List;

/**
 * Delivers a message to local mailboxes; fails as a whole, to be retried as a whole. Owned by the
 * queue, which calls it: the local side implements it and needs nothing else of the queue.
 */
@FunctionalInterface
public interface LocalTransport {

  /**
   * Delivers {@code message} to {@code recipients} (all local); must be idempotent, since a
   * delivery the process died in is done again.
   */
  Future<Void> deliver(SpooledMessage message, List<Envelope.Recipient> recipients);
}
