package io.postino.queue;

import io.postino.bus.RecipientResult;
import io.postino.spool.Envelope;
import io.postino.spool.MessageStatus;
import io.postino.spool.SpooledMessage;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** One message in the active window: being loaded, or in a round of delivery. Queue context only. */
final class ActiveMessage {

  final String queueId;
  SpooledMessage message;
  MessageStatus status;
  final Map<Integer, RecipientResult> roundResults = new LinkedHashMap<>();
  Future<Void> statusWrites = Future.succeededFuture();
  /** Whether the message may have a status file (one was read, or written to). */
  boolean statusFile;
  /** When it entered the window, and when its current round handed its recipients over (for the log's delays). */
  final Instant entered = Instant.now();
  Instant roundStarted;
  boolean holdRequested;
  boolean deleteRequested;

  ActiveMessage(String queueId) {
    this.queueId = queueId;
  }

  /** An operator asked for a hold or a deletion, which its round carries out when it ends (or at its start). */
  boolean operationRequested() {
    return holdRequested || deleteRequested;
  }

  Envelope envelope() {
    return message.envelope();
  }
}
