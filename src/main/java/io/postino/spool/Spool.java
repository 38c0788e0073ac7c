package io.postino.spool;

import io.postino.files.DurableFiles;
import io.postino.metrics.SpoolMeters;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The durable spool: one file per message under {@code <dir>/incoming}, written first under
 * {@code <dir>/tmp}. A file reaches {@code incoming} only once it is durable: either its content
 * was fsync'd and it is renamed there, followed by an fsync of the directory; or (a small
 * message) its whole file is in the fsync'd journal, {@code <dir>/journal}, and the message is kept
 * in memory, its file written only when something needs it ({@link ResidentMessages}), kept from
 * readers until whole, and rewritten from the journal by {@link #open} after a crash (see
 * {@link SpoolJournal}). So a file in {@code incoming} is whole, and a file in {@code tmp} at
 * start-up was never acknowledged and is deleted. Files that
 * cannot be read back are moved to {@code <dir>/corrupt}; messages put on hold by an operator
 * wait in {@code <dir>/hold}. Each message may have a status file, {@code <dir>/status/<queue
 * id>}, where the queue appends what became of its recipients (see {@link MessageStatus}).
 *
 * <p>A message file's modification time is the earliest time it should next be tried: the
 * time it was written, or a retry time the queue sets. The queue finds due messages by listing
 * {@code incoming}, so nothing needs to hold every message in memory.
 *
 * <p>Group commit: messages committed while an earlier batch is being synced wait and are synced
 * together in the next batch, sharing its journal fdatasync and directory fsync; each commit
 * future completes only once the fsync that covers its message has returned. Removals and moves
 * share directory fsyncs the same way.
 *
 * <p>Thread-safe: shared by every server verticle instance (all event loops). Open a directory
 * once per process: opening it cleans {@code tmp}, which would destroy messages being written by
 * another instance on the same directory.
 *
 * <p>SECURITY: spool and status files hold other people's mail and are created readable by their
 * owner only; a queue id becomes a file name, so every method taking an id refuses one that is
 * not a short alphanumeric string.
 */
public final class Spool {

  /** Queue ids found due by {@link #due}, and whether more due ones were left for later. */
  public record Due(List<String> queueIds, boolean more) {
  }

  private final Vertx vertx;
  private final Path dir;
  private final Path tmp;
  private final Path incoming;
  private final Path hold;
  private final Path status;
  private final SpoolJournal journal;
  private final GroupCommitter committer;
  private final SpoolReader reader;
  private final ResidentMessages residents;
  private final SharedSync incomingSync;
  private final SharedSync holdSync;
  private final SharedSync journalSync;
  private final JudgedCommit judged;
  private final OperatorMoves moves;
  private final SpoolRemovals removals;
  private final SpoolFigures figures;
  private final QueueInspector inspector;
  private final SpoolLock lock;
  private final Future<Void> recovered;
  private volatile SpoolFaults faults = SpoolFaults.NONE;

  private Spool(Vertx vertx, SpoolFolders folders, SpoolJournal journal, SpoolMeters meters, SpoolLock lock,
      Future<Void> recovered) {
    this.vertx = vertx;
    this.lock = lock;
    this.inspector = new QueueInspector(folders);
    this.journal = journal;
    this.recovered = recovered;
    this.dir = folders.root;
    this.tmp = folders.tmp;
    this.incoming = folders.incoming;
    this.hold = folders.hold;
    this.status = folders.status;
    this.residents = folders.residents;
    this.committer = new GroupCommitter(vertx, incoming, journal, meters, residents);
    this.figures = new SpoolFigures(vertx, folders);
    this.reader = new SpoolReader(folders);
    this.incomingSync = new SharedSync(vertx, () -> {
      faults.check(SpoolFaults.Point.SPOOL_SYNC, null);
      DurableFiles.fsyncDirectory(incoming);
    });
    this.holdSync = SharedSync.ofDirectory(vertx, hold);
    this.journalSync = new SharedSync(vertx, () -> {
      faults.check(SpoolFaults.Point.SPOOL_SYNC, null);
      journal.sync();
    });
    this.judged = new JudgedCommit(message -> remove(message, true));
    this.moves = new OperatorMoves(vertx, folders, journal, journalSync, incomingSync, holdSync);
    this.removals = new SpoolRemovals(vertx, journal, residents, journalSync, incomingSync);
  }

  /**
   * Opens the spool, creating its directories as needed and recovering what a crash left (see
   * {@link SpoolRecovery}); completes once the recovery is done. Takes the directory's lock first
   * ({@link SpoolLock}) and keeps it until {@link #close}: fails with a {@link SpoolLockedException}
   * naming the directory when another process (or another open spool of this process) has it.
   */
  public static Future<Spool> open(Vertx vertx, Path dir) {
    return open(vertx, dir, SpoolMeters.none(), SpoolSpace.DEFAULT_MIN_FREE_SPACE);
  }

  /** {@link #open(Vertx, Path)}, counting commits on {@code meters}, keeping {@code minFreeSpace} octets free. */
  public static Future<Spool> open(Vertx vertx, Path dir, SpoolMeters meters, long minFreeSpace) {
    return openWhileRecovering(vertx, dir, meters, minFreeSpace, Future.succeededFuture())
        .compose(s -> s.recovered().map(s).recover(e -> s.close().transform(x -> Future.failedFuture(e))));
  }

  /**
   * Opens the spool for new messages at once, however much a previous run left to recover: takes
   * the directory's lock, creates its directories and empties {@code tmp}, and then the journal of
   * the previous run is replayed on a worker once {@code replayAfter} completes (at once, but for
   * tests that hold it), with {@link #recovered} completing when it is done. Until then
   * {@link #due} waits, so the queue never lists a message the replay may still rewrite or remove;
   * messages written meanwhile are new ones, which the replay does not touch.
   */
  public static Future<Spool> openWhileRecovering(Vertx vertx, Path dir, SpoolMeters meters, long minFreeSpace,
      Future<?> replayAfter) {
    return vertx.executeBlocking(() -> SpoolOpening.open(dir), false).map(opened -> {
      Spool spool = new Spool(vertx, opened.folders(), opened.recovery().journal(), meters, opened.lock(),
          opened.recovery().finish(vertx, replayAfter));
      spool.figures.space().setReserve(minFreeSpace);
      meters.freeSpace(spool.figures.space()::usable);
      return spool;
    }).compose(spool -> spool.figures.measureSpace().map(spool));
  }

  /**
   * Completes when what a previous run left has been recovered (see {@link #openWhileRecovering});
   * fails when it could not be.
   */
  public Future<Void> recovered() {
    return recovered;
  }

  /** Whether a running Postino has the spool in {@code dir} open (holds its lock). Writes nothing. Blocks. */
  public static boolean isInUse(Path dir) throws IOException {
    return SpoolLock.isHeld(dir.toAbsolutePath().normalize());
  }

  /**
   * Checkpoints the journal and releases the directory's lock (see {@link SpoolOpening#close}):
   * call once nothing uses the spool any more.
   */
  public Future<Void> close() {
    return vertx.executeBlocking(() -> {
      SpoolOpening.close(dir, journal, lock);
      return null;
    }, false);
  }

  /**
   * The messages in the queue (incoming and hold) that {@code filter} takes, oldest first, those
   * in {@code active} (the queue manager's window) shown as being delivered.
   */
  public Future<List<QueuedMessage>> list(QueueFilter filter, Set<String> active) {
    return vertx.executeBlocking(() -> {
      residents.materializeAll();
      return inspector.list(filter, active);
    }, false);
  }

  /** One message in detail; null when there is no such message. */
  public Future<MessageDetails> show(String queueId, Set<String> active) {
    checkId(queueId);
    return vertx.executeBlocking(() -> {
      residents.materialize(queueId, false);
      return inspector.show(queueId, active);
    }, false);
  }

  /** A new unique queue id: short, sortable by time, safe as a file name. */
  public String newQueueId() {
    return QueueIds.next();
  }

  /** Starts writing a message with no preamble: see {@link #create(Envelope, Buffer)}. */
  public SpoolWriter create(Envelope envelope) {
    return create(envelope, null);
  }

  /**
   * Starts writing a message whose content begins with {@code preamble} (a trace header the
   * caller generates, or null). Nothing touches the disk until content is written (see
   * {@link SpoolFileWriter}); use the writer on the context that called this, where its futures
   * complete.
   *
   * @throws IllegalArgumentException when the envelope's queue id is not a plain file name or the
   *     envelope is too large to store
   */
  public SpoolWriter create(Envelope envelope, Buffer preamble) {
    return create(envelope, preamble, null);
  }

  /**
   * As {@link #create(Envelope, Buffer)}, the content (preamble included) read by {@code leading}
   * (null: none) as it is written; what it gives at commit goes in front of all of it.
   */
  public SpoolWriter create(Envelope envelope, Buffer preamble, LeadingHeaders leading) {
    String id = checkId(envelope.queueId());
    return new SpoolFileWriter(vertx, committer, envelope, tmp.resolve(id), incoming.resolve(id),
        SpoolFileFormat.header(envelope), preamble, leading, faults, HeldContent.PROCESS);
  }

  /** Tests: the messages kept in memory. */
  ResidentMessages residents() {
    return residents;
  }

  /** Tests: injects failures from now on (see {@link SpoolFaults}). */
  void injectFaults(SpoolFaults faults) {
    this.faults = faults;
  }

  /**
   * Commits a message that {@code verdict} then judges, the queue kept away from it meanwhile:
   * when the verdict fails or is not {@code accepted}, the message is removed durably before the
   * returned future completes with the verdict; if that removal fails, so does the future. Call
   * on the writer's context.
   *
   * @throws IllegalArgumentException when the writer is not one of this spool's
   */
  public <T> Future<T> commitJudged(SpoolWriter writer, Function<SpooledMessage, Future<T>> verdict,
      Predicate<T> accepted) {
    if (!(writer instanceof SpoolFileWriter w)) {
      throw new IllegalArgumentException("not a writer of this spool: " + writer);
    }
    return judged.commit(w, verdict, accepted);
  }

  /**
   * Lists messages in {@code incoming} due by {@code now} (all of them when {@code ignoreTimes}),
   * skipping {@code skip}, at most {@code limit}, oldest queue id first within what was found; once
   * the spool is {@link #recovered}.
   */
  public Future<Due> due(Instant now, int limit, Set<String> skip, boolean ignoreTimes) {
    long asked = now.toEpochMilli();
    boolean waits = !recovered.isComplete();
    Predicate<String> busy = id -> skip.contains(id) || committer.isPublishing(id) || judged.isWithheld(id);
    return afterRecovery(() -> {
      // the replay wrote the files of the previous run's messages kept in memory: due, though
      // written after this was asked
      long nowMillis = waits ? Math.max(asked, System.currentTimeMillis()) : asked;
      return vertx.executeBlocking(() -> inspector.due(nowMillis, limit, busy, ignoreTimes), false);
    });
  }

  /**
   * {@code task} once the spool is recovered, started on the caller's context so that its future
   * completes there (the recovery's own future belongs to the context that opened the spool).
   */
  private <T> Future<T> afterRecovery(Supplier<Future<T>> task) {
    if (recovered.succeeded()) {
      return task.get();
    }
    Context caller = vertx.getOrCreateContext();
    Promise<T> promise = Promise.promise();
    recovered.onComplete(r -> caller.runOnContext(v ->
        (r.succeeded() ? task.get() : Future.<T>failedFuture(r.cause())).onComplete(promise)));
    return promise.future();
  }

  /**
   * Reads a message's envelope from {@code incoming}, checking that its content is whole. Fails
   * with {@link NoSuchFileException} when it is not there, and with a {@link CorruptSpoolFileException}
   * after moving a corrupt file to {@code corrupt}.
   */
  public Future<SpooledMessage> read(String queueId) {
    if (!QueueIds.isAcceptable(queueId)) {
      return Future.failedFuture(new IllegalArgumentException("unacceptable queue id: " + queueId));
    }
    return vertx.executeBlocking(() -> reader.read(queueId), false);
  }

  /**
   * A message read back with its status replayed from its status file ({@code statusFile}: it
   * has one).
   */
  public record Loaded(SpooledMessage message, MessageStatus status, boolean statusFile) {
  }

  /**
   * {@link #read} and {@link #readStatus} in one go, as the queue takes a message in; the status
   * lines are replayed here, on the worker, rather than on the queue's one event loop (a scan
   * after a restart takes in thousands).
   */
  public Future<Loaded> load(String queueId) {
    if (!QueueIds.isAcceptable(queueId)) {
      return Future.failedFuture(new IllegalArgumentException("unacceptable queue id: " + queueId));
    }
    return vertx.executeBlocking(() -> {
      SpooledMessage message = reader.read(queueId);
      List<String> lines = statusLines(queueId);
      MessageStatus status = MessageStatus.replay(queueId, message.envelope().recipients().size(), lines);
      return new Loaded(message, status, !lines.isEmpty());
    }, false);
  }

  /** The complete lines of a message's status file (none when it has none). */
  public Future<List<String>> readStatus(String queueId) {
    checkId(queueId);
    return vertx.executeBlocking(() -> statusLines(queueId), false);
  }

  private List<String> statusLines(String queueId) throws IOException {
    return StatusFiles.lines(status.resolve(queueId));
  }

  /**
   * Appends to a message's status file; with {@code sync} the future completes only once the
   * lines are on disk (fdatasync, and the directory fsync'd when the file is new).
   */
  public Future<Void> appendStatus(String queueId, String lines, boolean sync) {
    Path file = status.resolve(checkId(queueId));
    byte[] bytes = lines.getBytes(StandardCharsets.UTF_8);
    return vertx.executeBlocking(() -> {
      StatusFiles.append(file, bytes, sync);
      return null;
    }, false);
  }

  /** Sets when a message is next due (its file's modification time: a resident message gets its file). */
  public Future<Void> setNextAttempt(String queueId, Instant when) {
    Path file = incoming.resolve(checkId(queueId));
    return vertx.executeBlocking(() -> {
      residents.materialize(queueId, false);
      Files.setLastModifiedTime(file, FileTime.from(when));
      return null;
    }, false);
  }

  /** Deletes a message whose every recipient has a final result; not durable (see the other form). */
  public Future<Void> remove(SpooledMessage message) {
    return remove(message, false);
  }

  /**
   * Deletes a message and its status file. With {@code durable} the deletion reaches the disk
   * before the future completes, so the message cannot come back after a crash; without, a crash
   * may bring it back to be delivered again, which is harmless when delivery is idempotent.
   * Concurrent removals are done together, see {@link SpoolRemovals}.
   */
  public Future<Void> remove(SpooledMessage message, boolean durable) {
    return remove(message, durable, true);
  }

  /**
   * {@link #remove(SpooledMessage, boolean)}, skipping the status file unless {@code withStatus}:
   * for a caller that knows there is none (a leftover would be deleted as an orphan at the next start).
   */
  public Future<Void> remove(SpooledMessage message, boolean durable, boolean withStatus) {
    Path file = message.file().toAbsolutePath().normalize();
    if (!incoming.equals(file.getParent())) {
      return Future.failedFuture(new IllegalArgumentException("not a file of this spool: " + file));
    }
    Path statusFile = withStatus ? status.resolve(file.getFileName()) : null;
    return removals.remove(message.queueId(), file, statusFile, durable);
  }

  /**
   * Makes sure a message has its file in {@code incoming} (see {@link ResidentMessages}), for a
   * reader that is given its path; nothing to do for one that has it, or is gone.
   */
  public Future<Void> materialize(String queueId) {
    checkId(queueId);
    if (!residents.contains(queueId)) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      residents.materialize(queueId, false);
      return null;
    }, false);
  }

  /** Moves a message from {@code incoming} to {@code hold}; false when it is not in incoming. */
  public Future<Boolean> hold(String queueId) {
    return moves.hold(checkId(queueId));
  }

  /** Moves a message from {@code hold} back to {@code incoming}, due now; false when not held. */
  public Future<Boolean> release(String queueId) {
    return moves.release(checkId(queueId));
  }

  /** Deletes a message, held or not, with its status file; false when there is no such message. */
  public Future<Boolean> delete(String queueId) {
    return moves.delete(checkId(queueId));
  }

  /** Whether a message is on hold. */
  public Future<Boolean> isHeld(String queueId) {
    return moves.isHeld(checkId(queueId));
  }

  /** The queue ids of the messages on hold. */
  public Future<List<String>> held() {
    return moves.held();
  }

  private static String checkId(String queueId) {
    if (!QueueIds.isAcceptable(queueId)) {
      throw new IllegalArgumentException("unacceptable queue id: " + queueId);
    }
    return queueId;
  }

  public Path directory() {
    return dir;
  }

  /** Counts, a write probe and the free space, for figures and health checks. */
  public SpoolFigures figures() {
    return figures;
  }

  /** Group-commit batches completed successfully since the spool was opened. */
  public long commitBatches() {
    return committer.batches();
  }

  /** Messages made durable by those batches. */
  public long committedMessages() {
    return committer.messages();
  }
}
