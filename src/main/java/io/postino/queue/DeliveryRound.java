package io.postino.queue;

import io.postino.bounce.Notifier;
import io.postino.bus.RecipientResult;
import io.postino.spool.MessageStatus;
import io.postino.spool.Spool;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A round of delivery of one message in the active window, and its end. Every recipient still to
 * be tried goes out through the {@link Dispatcher}; each part's results are appended to the status
 * file and fsync'd before anything is done about them (unless they finish the message: then its
 * durable removal records them). At the end of the round: a report for recipients refused for good
 * or out of time, one for those delivered that asked for it (NOTIFY=SUCCESS), a delay warning for
 * those it is due for, and then the message is removed, held or deleted as an operator asked, or
 * deferred to its next attempt; it leaves the window, and the events of every
 * recipient touched are published. Queue context only.
 */
final class DeliveryRound {

  private static final Logger log = LoggerFactory.getLogger(DeliveryRound.class);

  private final Spool spool;
  private final QueueOptions options;
  private final Dispatcher dispatcher;
  private final Notifier notifier;
  private final QueueEvents events;
  private final Consumer<ActiveMessage> leave;

  /** @param leave takes a message out of the active window once its round is over */
  DeliveryRound(Spool spool, QueueOptions options, Dispatcher dispatcher, Notifier notifier, QueueEvents events,
      Consumer<ActiveMessage> leave) {
    this.spool = spool;
    this.options = options;
    this.dispatcher = dispatcher;
    this.notifier = notifier;
    this.events = events;
    this.leave = leave;
  }

  /** Starts a round of delivery of a message just loaded or taken in (or carries out an operator's request). */
  void start(ActiveMessage e) {
    if (e.operationRequested()) {
      finishOperation(e);
      return;
    }
    e.roundResults.clear();
    e.roundStarted = Instant.now();
    List<Future<Map<Integer, RecipientResult>>> parts = dispatcher.dispatch(e.message, e.status.pending());
    int[] outstanding = {parts.size()};
    List<Future<Void>> recorded = new ArrayList<>(parts.size());
    for (Future<Map<Integer, RecipientResult>> part : parts) {
      recorded.add(part.compose(results -> record(e, results, --outstanding[0] == 0)));
    }
    Future.join(recorded).onComplete(ar -> {
      if (ar.failed()) {
        // a status file that cannot be written: nothing more is done now; the results not on
        // disk are redone at the next attempt
        log.error("{}: cannot record delivery results: {}", e.queueId, ar.cause().toString());
        defer(e, Instant.now(), List.of());
        return;
      }
      finishRound(e);
    });
  }

  /**
   * Takes in one part's results. They are appended to the status file and fsync'd first, unless
   * they are the last ones and finish the message: then its durable removal records them (unless
   * a success report is due, which goes to the spool before the removal and may fail).
   */
  private Future<Void> record(ActiveMessage e, Map<Integer, RecipientResult> results, boolean last) {
    results.forEach((i, r) -> {
      e.status.record(i, r);
      e.roundResults.put(i, r);
      DeliveryLog.result(e.envelope(), i, r, dispatcher.deliversLocally(e.envelope().recipients().get(i)), e.entered,
          e.roundStarted);
    });
    if (last && e.status.allFinished() && notifier.successesDue(e.message, e.status).isEmpty()) {
      return Future.succeededFuture();
    }
    StringBuilder lines = new StringBuilder();
    results.forEach((i, r) -> lines.append(MessageStatus.resultLine(i, r)));
    return appendStatus(e, lines.toString(), true);
  }

  /** Status appends of one message, one after the other. */
  private Future<Void> appendStatus(ActiveMessage e, String lines, boolean sync) {
    e.statusFile = true;
    e.statusWrites = e.statusWrites.transform(ar -> spool.appendStatus(e.queueId, lines, sync));
    return e.statusWrites;
  }

  private void finishRound(ActiveMessage e) {
    MessageStatus s = e.status;
    Instant now = Instant.now();
    s.attempted();
    if (!s.allFinished() && e.operationRequested()) {
      // an operator's decision: a released message is tried again, recipients that failed
      // included; a deleted one is never reported
      finishOperation(e);
      return;
    }
    Instant expiry = e.envelope().received().plus(options.getMaxLifetime());
    boolean expired = !now.isBefore(expiry);
    List<Integer> failed = new ArrayList<>();
    List<Integer> expiredNow = new ArrayList<>();
    for (int i = 0; i < s.recipients(); i++) {
      if (s.isFailedUnreported(i)) {
        failed.add(i);
      } else if (expired && s.isPending(i)) {
        expiredNow.add(i);
      }
    }
    List<Integer> giveUp = new ArrayList<>(failed);
    giveUp.addAll(expiredNow);
    if (!expiredNow.isEmpty()) {
      // the recipients' last attempts are logged as deferred: this says that no other follows
      log.info("{}: from={}, status=expired, {} recipient(s) given up", e.queueId, e.envelope().sender().path(),
          expiredNow.size());
    }
    // failures found at load time (unreported before a crash) get their events too
    giveUp.forEach(i -> e.roundResults.putIfAbsent(i, Notifier.resultOf(e.message, s, i)));
    Future<Boolean> reported = giveUp.isEmpty() ? Future.succeededFuture(false)
        : notifier.reportFailures(e.message, s, failed, expiredNow)
            .compose(hold -> hold
                // held, not finished: a release tries these recipients again
                ? Future.succeededFuture(true)
                : appendStatus(e, MessageStatus.finishedLine(giveUp), true).map(v -> {
                  s.finish(giveUp);
                  return false;
                }));
    reported
        .compose(hold -> notifier.reportSuccesses(e.message, s)
            // recorded even when the message is finished: its removal may not be durable (local
            // recipients only), and a message that came back must not report them again
            .compose(told -> told.isEmpty() ? Future.succeededFuture()
                : appendStatus(e, MessageStatus.successReportedLine(told), true).onSuccess(v -> s.successReported(told)))
            .compose(v -> notifier.warnIfDelayed(e.message, s, now, expiry))
            .compose(warned -> warned.isEmpty() ? Future.succeededFuture()
                : appendStatus(e, MessageStatus.warnedLine(warned), true).onSuccess(v -> s.warned(warned)))
            .map(hold))
        .onComplete(ar -> {
          if (ar.failed()) {
            log.error("{}: cannot send a delivery status notification: {}", e.queueId, ar.cause().toString());
            defer(e, now, List.of());
            return;
          }
          if (s.allFinished()) {
            complete(e, giveUp);
          } else if (ar.result() || e.deleteRequested || e.holdRequested) {
            e.holdRequested |= ar.result();
            publishEvents(e, giveUp, null);
            finishOperation(e);
          } else {
            defer(e, now, giveUp);
          }
        });
  }

  /** Every recipient is finished: the message goes, durably when deliveries to other servers depend on it. */
  private void complete(ActiveMessage e, List<Integer> bounced) {
    boolean durable = dispatcher.handedToOthers(e.envelope());
    spool.remove(e.message, durable, e.statusFile).onComplete(ar -> {
      if (ar.failed()) {
        log.error("{}: cannot remove from the spool: {}", e.queueId, ar.cause().toString());
      } else {
        log.info("{}: removed", e.queueId);
      }
      publishEvents(e, bounced, null);
      leave.accept(e);
    });
  }

  /** Some recipients wait: the message leaves memory until its next attempt. */
  private void defer(ActiveMessage e, Instant now, List<Integer> bounced) {
    int attempt = e.status.attempts();
    Instant next = now.plus(options.backoff(attempt));
    appendStatus(e, MessageStatus.attemptLine(attempt), false)
        .compose(v -> spool.setNextAttempt(e.queueId, next))
        .onComplete(ar -> {
          if (ar.failed()) {
            log.warn("{}: cannot set the next attempt: {}", e.queueId, ar.cause().toString());
          }
          log.info("{}: {} recipient(s) deferred, next attempt at {}", e.queueId, e.status.pending().size(), next);
          publishEvents(e, bounced, next);
          if (e.operationRequested()) {
            // asked for while the message was being put aside
            finishOperation(e);
          } else {
            leave.accept(e);
          }
        });
  }

  private void finishOperation(ActiveMessage e) {
    Future<Boolean> done = e.deleteRequested ? spool.delete(e.queueId) : spool.hold(e.queueId);
    String what = e.deleteRequested ? "removed" : "placed on hold";
    done.onComplete(ar -> {
      if (ar.failed()) {
        log.error("{}: cannot be {}: {}", e.queueId, e.deleteRequested ? "deleted" : "held", ar.cause().toString());
      } else {
        log.info("{}: {}", e.queueId, what);
      }
      leave.accept(e);
    });
  }

  private void publishEvents(ActiveMessage e, List<Integer> bounced, Instant nextAttempt) {
    events.delivery(e.message, e.status.attempts(), e.roundResults, bounced, nextAttempt);
  }
}
