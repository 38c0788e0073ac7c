package io.postino.queue;

import io.postino.bounce.BounceSettings;
import io.postino.bounce.Bouncer;
import io.postino.bounce.Notifier;
import io.postino.bus.Addresses;
import io.postino.bus.DeliveryJob;
import io.postino.bus.DeliveryReply;
import io.postino.bus.RecipientResult;
import io.postino.smtp.RcptParameters;
import io.postino.spool.CorruptSpoolFileException;
import io.postino.spool.Envelope;
import io.postino.spool.MessageStatus;
import io.postino.spool.Spool;
import io.postino.spool.SpooledMessage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of each spooled message once the client has its 250: delivers it, retries it,
 * bounces it, and removes it when every recipient is finished. A verticle: all its state lives on
 * its own event loop, and {@link #accept} and the operations may be called from any thread.
 *
 * <p><b>A round</b> of delivery takes every recipient still to be tried: local ones go to the
 * {@link LocalTransport} (idempotent Maildir delivery), remote ones are grouped by domain into
 * {@link DeliveryJob}s (at most {@code maxRecipientsPerJob} each) sent to
 * {@code postino.delivery.submit} with a timeout. Each reply's results are appended to the
 * message's status file and fsync'd <em>before</em> anything is done about them, so a restart
 * never redoes a recipient that was delivered and never forgets one that was not. (When a reply
 * finishes the message, the durable removal of the message is that record instead.) At the end of
 * the round: recipients refused for good get a DSN (one per message and round), as do those still
 * failing after the queue lifetime; a delay warning goes out if configured; and the message is
 * removed, or its next attempt is set (backoff doubling from {@code minBackoff} to
 * {@code maxBackoff}) and it leaves memory until then. Events for every recipient touched are
 * published on {@code postino.delivery.events} at the end of the round.
 *
 * <p><b>Bounded memory.</b> At most {@code activeLimit} messages are in memory; the rest wait on
 * disk. Deferred messages always leave memory; the spool is listed every {@code scanInterval}
 * (and whenever room frees up while messages wait) for messages whose time has come, the time
 * being each file's modification time.
 *
 * <p><b>Guarantees.</b> At-least-once: a recipient whose delivery was under way when the process
 * died (or whose job timed out) is tried again, so a remote server that had already taken the
 * message may get it twice; a recipient recorded as delivered is never tried again. A DSN spooled
 * just before a crash, whose record did not reach the disk, may be sent twice. A message from
 * {@code <>} never causes a DSN.
 *
 * <p>SECURITY: a DSN goes only to the envelope sender, never to addresses from the content, and
 * never for a message from {@code <>}, so Postino cannot be made to reflect mail at a third party
 * beyond what any MTA's bounces do, nor to loop.
 */
public final class QueueManager extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(QueueManager.class);

  /** One message in memory: being loaded, or in a round of delivery. */
  private static final class Entry {
    final String queueId;
    SpooledMessage message;
    MessageStatus status;
    final Map<Integer, RecipientResult> roundResults = new LinkedHashMap<>();
    Future<Void> statusWrites = Future.succeededFuture();
    /** Whether the message may have a status file (one was read, or written to). */
    boolean statusFile;
    boolean holdRequested;
    boolean deleteRequested;

    Entry(String queueId) {
      this.queueId = queueId;
    }

    Envelope envelope() {
      return message.envelope();
    }
  }

  private final Spool spool;
  private final LocalTransport local;
  private final Addresses addresses;
  private final QueueOptions options;
  private final String hostname;
  private final Predicate<String> isLocalDomain;
  private final Map<String, Entry> active = new HashMap<>();
  private final AtomicInteger activeCount = new AtomicInteger();
  private Dispatcher dispatcher;
  private Notifier notifier;
  private QueueEvents events;
  private boolean backlog;
  private boolean scanning;
  private boolean rescan;
  /** A flush not yet carried out by a complete scan that ignores times. */
  private boolean flushPending;
  private long scanTimer = -1;

  /**
   * @param hostname      the name reports are sent from ({@code MAILER-DAEMON@hostname})
   * @param isLocalDomain whether a (lower-case) domain is delivered here, for the recipient of a DSN
   */
  public QueueManager(Spool spool, LocalTransport local, Addresses addresses, QueueOptions options, String hostname,
      Predicate<String> isLocalDomain) {
    this.spool = spool;
    this.local = local;
    this.addresses = addresses;
    this.options = new QueueOptions(options);
    this.hostname = hostname;
    this.isLocalDomain = isLocalDomain;
  }

  @Override
  public Future<?> start() {
    dispatcher = new Dispatcher(vertx, local, addresses, options);
    events = new QueueEvents(vertx, addresses);
    BounceSettings reports = new BounceSettings(options.getBounceSizeLimit(), options.getDelayWarning(),
        options.getFailedBounces() == QueueOptions.FailedBounces.HOLD);
    notifier = new Notifier(new Bouncer(vertx, spool, reports, hostname, isLocalDomain, this::accept), reports);
    scanTimer = vertx.setPeriodic(Math.max(1, options.getScanInterval().toMillis()), id -> scan(false));
    // what a previous run left in the spool is found by the first scan
    scan(false);
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(scanTimer);
    return Future.succeededFuture();
  }

  /** Takes a message the server has just accepted. Thread-safe. */
  public void accept(SpooledMessage message) {
    context.runOnContext(v -> admit(message));
  }

  /** Messages in memory now. Thread-safe. */
  public int activeCount() {
    return activeCount.get();
  }

  // ------------------------------------------------------------------ operations

  /**
   * Puts a message on hold: it stays in the spool, untouched, until released. A message in the
   * middle of a delivery round is held when the round ends. Completes with false when there is
   * no such message in the queue.
   */
  public Future<Boolean> hold(String queueId) {
    return onContext(() -> {
      Entry e = active.get(queueId);
      if (e != null) {
        e.holdRequested = true;
        return Future.succeededFuture(true);
      }
      return spool.hold(queueId);
    });
  }

  /**
   * Releases a held message; it is tried at once, every recipient not finished included (a
   * permanent failure not yet reported is tried again rather than reported). False when it was
   * not on hold.
   */
  public Future<Boolean> release(String queueId) {
    // the retry line goes first: once in incoming, the message may be loaded at any moment
    return onContext(() -> spool.isHeld(queueId)
        .compose(held -> !held ? Future.succeededFuture(false)
            : spool.appendStatus(queueId, MessageStatus.retryLine(), true).compose(v -> spool.release(queueId)))
        .onSuccess(released -> {
          if (released) {
            scan(false);
          }
        }));
  }

  /**
   * Makes a deferred message due now, so it is tried at once rather than at its retry time.
   * True also when it is being delivered already; false when there is no such message.
   */
  public Future<Boolean> requeue(String queueId) {
    return onContext(() -> {
      if (active.containsKey(queueId)) {
        return Future.succeededFuture(true);
      }
      return spool.setNextAttempt(queueId, Instant.now())
          .map(v -> {
            scan(false);
            return true;
          })
          .recover(e -> e instanceof NoSuchFileException ? Future.succeededFuture(false) : Future.failedFuture(e));
    });
  }

  /** Deletes a message without any notice to anyone; false when there is no such message. */
  public Future<Boolean> delete(String queueId) {
    return onContext(() -> {
      Entry e = active.get(queueId);
      if (e != null) {
        e.deleteRequested = true;
        return Future.succeededFuture(true);
      }
      return spool.delete(queueId);
    });
  }

  /** Makes every deferred message due now (like {@code postqueue -f}). */
  public Future<Void> flush() {
    return onContext(() -> {
      scan(true);
      return Future.succeededFuture();
    });
  }

  private <T> Future<T> onContext(Supplier<Future<T>> action) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(promise));
    return promise.future();
  }

  // ------------------------------------------------------------------ taking messages in

  private void admit(SpooledMessage message) {
    if (active.containsKey(message.queueId())) {
      return;
    }
    if (active.size() >= options.getActiveLimit()) {
      // it waits on disk, due now: a scan takes it in when there is room
      backlog = true;
      return;
    }
    Entry e = new Entry(message.queueId());
    e.message = message;
    e.status = new MessageStatus(message.envelope().recipients().size());
    put(e);
    startRound(e);
  }

  /** Looks for due messages on disk, as many as there is room for. */
  private void scan(boolean all) {
    // a flush lasts until a scan that ignores times has found everything: when there is no room,
    // or more messages than room, the later scans (as room frees up) keep ignoring times
    flushPending |= all;
    if (scanning) {
      rescan = true;
      return;
    }
    int room = options.getActiveLimit() - active.size();
    if (room <= 0) {
      backlog = true;
      return;
    }
    scanning = true;
    boolean flushing = flushPending;
    spool.due(Instant.now(), room, Set.copyOf(active.keySet()), flushing).onComplete(ar -> {
      scanning = false;
      if (ar.succeeded()) {
        backlog = ar.result().more();
        if (flushing && !backlog && !rescan) {
          flushPending = false;
        }
        ar.result().queueIds().forEach(this::load);
      } else {
        log.warn("cannot list the spool: {}", ar.cause().toString());
      }
      if (rescan) {
        rescan = false;
        scan(false);
      }
    });
  }

  private void load(String queueId) {
    if (active.containsKey(queueId)) {
      return;
    }
    if (active.size() >= options.getActiveLimit()) {
      backlog = true;
      return;
    }
    // in the map before the file is read: once a message leaves the map its file is gone or
    // deferred, so reading after this point cannot revive a message that was just finished
    Entry e = new Entry(queueId);
    put(e);
    spool.load(queueId)
        .map(loaded -> {
          e.message = loaded.message();
          e.status = MessageStatus.replay(queueId, e.message.envelope().recipients().size(), loaded.status());
          e.statusFile = !loaded.status().isEmpty();
          return e;
        })
        .onComplete(ar -> {
          if (ar.failed()) {
            if (ar.cause() instanceof CorruptSpoolFileException corrupt) {
              events.corrupt(corrupt, spool.directory());
            } else if (!(ar.cause() instanceof NoSuchFileException)) {
              log.error("{}: cannot load from the spool: {}", queueId, ar.cause().getMessage());
            }
            forget(e);
            return;
          }
          startRound(e);
        });
  }

  private void put(Entry e) {
    active.put(e.queueId, e);
    activeCount.set(active.size());
  }

  private void forget(Entry e) {
    active.remove(e.queueId);
    activeCount.set(active.size());
    if (backlog && active.size() <= options.getActiveLimit() * 3 / 4) {
      scan(false);
    }
  }

  // ------------------------------------------------------------------ a round of delivery

  private void startRound(Entry e) {
    if (e.deleteRequested || e.holdRequested) {
      finishOperation(e);
      return;
    }
    e.roundResults.clear();
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
   * they are the last ones and finish the message: then its durable removal records them.
   */
  private Future<Void> record(Entry e, Map<Integer, RecipientResult> results, boolean last) {
    results.forEach((i, r) -> {
      e.status.record(i, r);
      e.roundResults.put(i, r);
    });
    if (last && e.status.allFinished()) {
      return Future.succeededFuture();
    }
    StringBuilder lines = new StringBuilder();
    results.forEach((i, r) -> lines.append(MessageStatus.resultLine(i, r)));
    return appendStatus(e, lines.toString(), true);
  }

  /** Status appends of one message, one after the other. */
  private Future<Void> appendStatus(Entry e, String lines, boolean sync) {
    e.statusFile = true;
    e.statusWrites = e.statusWrites.transform(ar -> spool.appendStatus(e.queueId, lines, sync));
    return e.statusWrites;
  }

  private void finishRound(Entry e) {
    MessageStatus s = e.status;
    Instant now = Instant.now();
    s.attempted();
    if (s.allFinished()) {
      // nothing left to hold or delete either: results that skipped the status file are recorded
      // by this removal
      complete(e, List.of());
      return;
    }
    if (e.deleteRequested || e.holdRequested) {
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
        .compose(hold -> notifier.warnIfDelayed(e.message, s, now, expiry)
            .compose(warned -> !warned ? Future.succeededFuture()
                : appendStatus(e, MessageStatus.warnedLine(), true).onSuccess(v -> s.warned()))
            .map(hold))
        .onComplete(ar -> {
          if (ar.failed()) {
            log.error("{}: cannot send a delivery status notification: {}", e.queueId, ar.cause().toString());
            defer(e, now, List.of());
            return;
          }
          if (ar.result() || e.deleteRequested || e.holdRequested) {
            e.holdRequested |= ar.result();
            publishEvents(e, giveUp, null);
            finishOperation(e);
          } else if (s.allFinished()) {
            complete(e, giveUp);
          } else {
            defer(e, now, giveUp);
          }
        });
  }

  /** Every recipient is finished: the message goes, durably when remote deliveries depend on it. */
  private void complete(Entry e, List<Integer> bounced) {
    boolean durable = !e.envelope().remoteRecipients().isEmpty();
    spool.remove(e.message, durable, e.statusFile).onComplete(ar -> {
      if (ar.failed()) {
        log.error("{}: cannot remove from the spool: {}", e.queueId, ar.cause().toString());
      } else {
        log.info("{}: done", e.queueId);
      }
      publishEvents(e, bounced, null);
      forget(e);
    });
  }

  /** Some recipients wait: the message leaves memory until its next attempt. */
  private void defer(Entry e, Instant now, List<Integer> bounced) {
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
          if (e.deleteRequested || e.holdRequested) {
            // asked for while the message was being put aside
            finishOperation(e);
          } else {
            forget(e);
          }
        });
  }

  private void finishOperation(Entry e) {
    Future<Boolean> done = e.deleteRequested ? spool.delete(e.queueId) : spool.hold(e.queueId);
    String what = e.deleteRequested ? "deleted" : "held";
    done.onComplete(ar -> {
      if (ar.failed()) {
        log.error("{}: cannot be {}: {}", e.queueId, what, ar.cause().toString());
      } else {
        log.info("{}: {}", e.queueId, what);
      }
      forget(e);
    });
  }

  private void publishEvents(Entry e, List<Integer> bounced, Instant nextAttempt) {
    events.delivery(e.message, e.status.attempts(), e.roundResults, bounced, nextAttempt);
  }
}
