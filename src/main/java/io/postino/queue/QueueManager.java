package io.postino.queue;

import io.postino.bounce.BounceSettings;
import io.postino.bounce.Bouncer;
import io.postino.bounce.Notifier;
import io.postino.bus.Addresses;
import io.postino.bus.DeliveryJob;
import io.postino.bus.InProcessCodecs;
import io.postino.bus.TransportTable;
import io.postino.intake.Intake;
import io.postino.metrics.DeliveryMeters;
import io.postino.spool.MessageDetails;
import io.postino.spool.MessageStatus;
import io.postino.spool.QueueFilter;
import io.postino.spool.QueuedMessage;
import io.postino.spool.Spool;
import io.postino.spool.SpooledMessage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
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
 * failing after the queue lifetime; those delivered that asked with NOTIFY=SUCCESS get a success
 * report (one per message and round); a delay warning goes out to those due one; and the message is
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
 * <p>The window is an {@link ActiveWindow}, a round a {@link DeliveryRound}; this verticle owns
 * them, the operations and the periodic scan. Messages deferred because no delivery verticle took
 * their jobs are tried again as soon as one announces itself ({@link DeliveryNodeWatch}); jobs
 * held by a delivery node that leaves the cluster, as soon as it has left ({@link JobsInFlight}).
 *
 * <p>SECURITY: a DSN goes only to the envelope sender, never to addresses from the content, and
 * never for a message from {@code <>}, so Postino cannot be made to reflect mail at a third party
 * beyond what any MTA's bounces do, nor to loop.
 */
public final class QueueManager extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(QueueManager.class);

  private final Spool spool;
  private final LocalTransport local;
  private final Addresses addresses;
  private final QueueOptions options;
  private final Intake intake;
  private final ActiveWindow window;
  private final DeliveryMeters meters;
  private final TransportTable transports;
  private final String nodeId = UUID.randomUUID().toString();
  private SpoolReadService reads;
  private QueueEvents events;
  private DeliveryRound round;
  private DeliveryNodeWatch deliveryNodes;
  private final JobsInFlight jobs = new JobsInFlight();
  private long scanTimer = -1;

  /**
   * @param hostname      this server's name, in trace headers and the sender of reports
   *                      ({@code MAILER-DAEMON@hostname})
   * @param isLocalDomain whether a (lower-case) domain is delivered here
   * @param meters        where each recipient's result is counted
   */
  public QueueManager(Spool spool, LocalTransport local, Addresses addresses, QueueOptions options, String hostname,
      Predicate<String> isLocalDomain, DeliveryMeters meters) {
    this(spool, local, addresses, options, TransportTable.EMPTY, hostname, isLocalDomain, meters);
  }

  /** @param transports which recipients go by a transport (LMTP, discard, error) rather than the usual way */
  public QueueManager(Spool spool, LocalTransport local, Addresses addresses, QueueOptions options,
      TransportTable transports, String hostname, Predicate<String> isLocalDomain, DeliveryMeters meters) {
    this.transports = transports;
    this.meters = meters;
    this.spool = spool;
    this.local = local;
    this.addresses = addresses;
    this.options = new QueueOptions(options);
    // the queue is the door every message goes through once accepted: one intake for the listener,
    // postino.send and reports
    this.intake = new Intake(spool, hostname, isLocalDomain, this::accept);
    // the window and the round refer to each other; the round and the events exist once started
    this.window = new ActiveWindow(spool, this.options.getActiveLimit(),
        corrupt -> events.corrupt(corrupt, spool.directory()), e -> round.start(e));
  }

  /**
   * The id this queue's delivery jobs name as the owner of their content, and under which its
   * spool read service ({@link Addresses#spoolRead}) serves that content.
   */
  public String nodeId() {
    return nodeId;
  }

  /** Where messages enter this node's queue: the listener, {@code postino.send} and reports use it. */
  public Intake intake() {
    return intake;
  }

  @Override
  public Future<?> start() {
    // its jobs for a delivery verticle of this process go as records
    InProcessCodecs.register(vertx);
    deliveryNodes = new DeliveryNodeWatch(id -> window.get(id) != null, this::requeue);
    Dispatcher dispatcher = new Dispatcher(vertx, local, addresses, options, transports,
        deliveryNodes::noDeliveryNode, nodeId, jobs, deliveryNodes::nodeLeft, spool::materialize);
    // only a message in a round has jobs out, and only those jobs' content is served
    reads = new SpoolReadService(vertx, id -> {
      ActiveMessage e = window.get(id);
      return e == null || e.roundStarted == null ? null : e.message;
    });
    events = new QueueEvents(vertx, addresses, meters);
    BounceSettings reports = new BounceSettings(options.getBounceSizeLimit(), options.getDelayWarning(),
        options.isDelayWarningWithoutNotify(), options.getFailedBounces() == QueueOptions.FailedBounces.HOLD);
    Bouncer bouncer = new Bouncer(vertx, intake, reports);
    Notifier notifier = new Notifier(bouncer, reports);
    round = new DeliveryRound(spool, options, dispatcher, notifier, events, e -> {
      window.forget(e);
      deliveryNodes.left(e.queueId);
    });
    scanTimer = vertx.setPeriodic(Math.max(1, options.getScanInterval().toMillis()), id -> window.scan(false));
    // what a previous run left in the spool is found by the first scan
    window.scan(false);
    return reads.start(addresses, nodeId).compose(v -> deliveryNodes.start(vertx, addresses))
        .compose(v -> jobs.start(vertx, addresses));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(scanTimer);
    // the queue owns the spool: the directory's lock goes with it, also when the Vert.x instance
    // is closed without Postino.close(), so that the spool can be opened again in this process
    return reads.stop().eventually(jobs::stop).eventually(deliveryNodes::stop).eventually(spool::close);
  }

  /**
   * What stopping the queue found and did.
   *
   * @param underWay  messages in a round of delivery when the stop began
   * @param abandoned of those, the ones whose round was not over at the end of the grace period:
   *                  they stay in the spool, and recipients without a recorded result are tried
   *                  again at the next start (the at-least-once window)
   */
  public record Stopped(int underWay, int abandoned) {
  }

  /**
   * Stops the queue: no round starts any more (messages accepted meanwhile wait in the spool for
   * the next start), and the rounds under way are given {@code grace} to finish and record their
   * results. Thread-safe.
   */
  public Future<Stopped> stop(Duration grace) {
    return onContext(() -> {
      vertx.cancelTimer(scanTimer);
      // counted once the stop has let go of the messages taken in but not read yet: no round of theirs began
      Future<Void> windowStopped = window.stop();
      int underWay = window.count();
      Promise<Stopped> done = Promise.promise();
      long timer = vertx.setTimer(Math.max(1, grace.toMillis()),
          id -> done.tryComplete(new Stopped(underWay, window.count())));
      windowStopped.onComplete(ar -> {
        vertx.cancelTimer(timer);
        done.tryComplete(new Stopped(underWay, window.count()));
      });
      return done.future();
    });
  }

  /** Takes a message the server has just accepted. Thread-safe. */
  public void accept(SpooledMessage message) {
    context.runOnContext(v -> window.admit(message));
  }

  /** Messages in memory now. Thread-safe. */
  public int activeCount() {
    return window.count();
  }

  // ------------------------------------------------------------------ operations

  /**
   * Puts a message on hold: it stays in the spool, untouched, until released. A message in the
   * middle of a delivery round is held when the round ends. Completes with false when there is
   * no such message in the queue.
   */
  public Future<Boolean> hold(String queueId) {
    return onContext(() -> {
      ActiveMessage e = window.get(queueId);
      if (e != null) {
        // logged when its round ends and it is held
        e.holdRequested = true;
        return Future.succeededFuture(true);
      }
      return logged(spool.hold(queueId), queueId, "placed on hold");
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
            log.info("{}: released from hold", queueId);
            window.scan(false);
          }
        }));
  }

  /**
   * Makes a deferred message due now, so it is tried at once rather than at its retry time.
   * True also when it is being delivered already; false when there is no such message.
   */
  public Future<Boolean> requeue(String queueId) {
    return onContext(() -> {
      if (window.get(queueId) != null) {
        return Future.succeededFuture(true);
      }
      return spool.setNextAttempt(queueId, Instant.now())
          .map(v -> {
            log.info("{}: requeued", queueId);
            window.scan(false);
            return true;
          })
          .recover(e -> e instanceof NoSuchFileException ? Future.succeededFuture(false) : Future.failedFuture(e));
    });
  }

  /** Deletes a message without any notice to anyone; false when there is no such message. */
  public Future<Boolean> delete(String queueId) {
    return onContext(() -> {
      ActiveMessage e = window.get(queueId);
      if (e != null) {
        // logged when its round ends and it is deleted
        e.deleteRequested = true;
        return Future.succeededFuture(true);
      }
      return logged(spool.delete(queueId), queueId, "removed");
    });
  }

  /** Makes every deferred message due now (like {@code postqueue -f}). */
  public Future<Void> flush() {
    return onContext(() -> {
      log.info("flush: every deferred message is due now");
      window.scan(true);
      return Future.succeededFuture();
    });
  }

  /** An operator's change, logged as Postfix's postsuper does ({@code ID: removed}) when it was made. */
  private static Future<Boolean> logged(Future<Boolean> change, String queueId, String what) {
    return change.onSuccess(done -> {
      if (done) {
        log.info("{}: {}", queueId, what);
      }
    });
  }

  /** The messages in this node's queue that {@code filter} takes, oldest first (like {@code mailq}). */
  public Future<List<QueuedMessage>> list(QueueFilter filter) {
    return onContext(() -> spool.list(filter, window.ids()));
  }

  /** One message in detail (like {@code postcat -q}); null when there is no such message. */
  public Future<MessageDetails> show(String queueId) {
    return onContext(() -> spool.show(queueId, window.ids()));
  }

  /**
   * Makes due now the deferred messages with a recipient not finished in {@code domain}
   * ({@code postqueue -s}); completes with how many.
   */
  public Future<Integer> flush(String domain) {
    return each(new QueueFilter(true, false, domain, null), this::requeue);
  }

  /**
   * Deletes every message {@code filter} takes without notice ({@code postsuper -d ALL}, or
   * {@code -d ALL deferred} with a filter of deferred messages); completes with how many. All are
   * asked for at once, so that the spool deletes them many at a time; one being delivered is
   * deleted when its round ends, and counted now (not again by a later call before that).
   */
  public Future<Integer> delete(QueueFilter filter) {
    return list(filter).compose(messages -> onContext(() -> {
      List<Future<Boolean>> deletions = new ArrayList<>(messages.size());
      for (QueuedMessage m : messages) {
        ActiveMessage active = window.get(m.queueId());
        if (active == null || !active.deleteRequested) {
          deletions.add(delete(m.queueId()));
        }
      }
      return Future.join(deletions).transform(ar -> {
        int deleted = 0;
        for (Future<Boolean> d : deletions) {
          deleted += d.succeeded() && d.result() ? 1 : 0;
        }
        return ar.succeeded() ? Future.succeededFuture(deleted) : Future.failedFuture(ar.cause());
      });
    }));
  }

  /** Applies {@code operation} to each message {@code filter} takes, one after the other; counts the trues. */
  private Future<Integer> each(QueueFilter filter, Function<String, Future<Boolean>> operation) {
    return list(filter).compose(messages -> {
      Future<Integer> done = Future.succeededFuture(0);
      for (QueuedMessage m : messages) {
        done = done.compose(n -> operation.apply(m.queueId()).map(ok -> ok ? n + 1 : n));
      }
      return done;
    });
  }

  /**
   * Runs an operation on the queue's context once the spool is recovered: until then the replay of
   * the journal may still rewrite or remove the message it is about.
   */
  private <T> Future<T> onContext(Supplier<Future<T>> action) {
    Promise<T> promise = Promise.promise();
    spool.recovered().onComplete(r -> context.runOnContext(v -> {
      try {
        action.get().onComplete(promise);
      } catch (RuntimeException e) {
        // an unacceptable queue id, say: the caller hears it rather than waiting forever
        promise.fail(e);
      }
    }));
    return promise.future();
  }
}
