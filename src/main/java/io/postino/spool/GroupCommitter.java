package io.postino.spool;

import io.postino.files.DurableFiles;
import io.postino.metrics.SpoolMeters;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts messages into {@code incoming} durably, many at a time: at most one batch is in flight;
 * commits arriving meanwhile wait and form the next batch. A batch appends its small messages (and
 * a larger one committed alone, see {@link SpoolFileWriter}) to the {@link SpoolJournal} with a
 * single fdatasync and then keeps them in memory, resident (see
 * {@link ResidentMessages}: their files are written into {@code incoming} only when needed, or at
 * once past the residents' budget); the larger ones come as closed temporary files, which it
 * fdatasyncs (those not synced by their writer yet, concurrently on worker threads: concurrent
 * fsyncs let a journaling file system merge its commits), renames into {@code incoming}, and
 * covers with one fsync of the directory. A batch with one file to write or sync does that in the
 * worker task that publishes it, and a file written whole from memory ({@link #commitWritten}) is
 * written by its batch when it is alone: one client's larger message pays one hand-off to a
 * worker, not two. Only then does any commit of the batch complete; if any step fails, every
 * commit of the batch fails and the files already placed are taken out of {@code incoming} again
 * (the residents forgotten). A journal segment the batch appended to is checkpointed only after
 * its messages are resident or have their files (or are undone): a checkpoint syncs those files,
 * writing those of residents, so it must not find them missing.
 *
 * <p>Thread-safe: called from every event loop. Each commit completes on the context it was
 * called from.
 */
final class GroupCommitter {

  private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);

  /** Blocking work that readies a commit's temporary file (writes it, fdatasyncs it) before the rename. */
  @FunctionalInterface
  interface Preparation {
    void run() throws IOException;
  }

  /**
   * A commit: {@code tmpFile} to be renamed to {@code target}, after {@code prepare} (null: it is
   * ready); or for a journaled message (no {@code tmpFile}), the whole file's octets, written as
   * {@code target} once the journal has them.
   */
  private record Pending(Path tmpFile, Path target, Preparation prepare, ByteBuffer[] journaled, Context context,
      Promise<Void> promise) {
  }

  private final Vertx vertx;
  private final Path incoming;
  private final SpoolJournal journal;
  private final SpoolMeters meters;
  private final ResidentMessages residents;
  /** Journaled messages whose file in incoming is being written: not to be read yet. */
  private final Set<String> publishing = ConcurrentHashMap.newKeySet();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong messages = new AtomicLong();
  /** Whether a checkpoint task is queued or running: there is never more than one. */
  private final AtomicBoolean checkpointing = new AtomicBoolean();

  // Guarded by this.
  private List<Pending> waiting = new ArrayList<>();
  private boolean inFlight;

  /** A committer that writes every journaled message's file at once (keeps none resident). */
  GroupCommitter(Vertx vertx, Path incoming, SpoolJournal journal) {
    this(vertx, incoming, journal, SpoolMeters.none(), new ResidentMessages(incoming, 0));
  }

  /**
   * A committer that keeps journaled messages in {@code residents} while its budget lasts: the
   * same the journal's {@link JournaledFiles} sync at a checkpoint.
   */
  GroupCommitter(Vertx vertx, Path incoming, SpoolJournal journal, SpoolMeters meters, ResidentMessages residents) {
    this.meters = meters;
    this.residents = residents;
    this.vertx = vertx;
    this.incoming = incoming;
    this.journal = journal;
  }

  /**
   * Makes {@code tmpFile} (closed, fully written, and already fdatasync'd when {@code synced})
   * durable as {@code target} in {@code incoming}. On failure {@code target} does not exist, and
   * the caller deletes {@code tmpFile} if it is still there.
   */
  Future<Void> commit(Path tmpFile, Path target, boolean synced) {
    return enqueue(new Pending(tmpFile, target, synced ? null : () -> DurableFiles.fdatasync(tmpFile), null,
        vertx.getOrCreateContext(), Promise.promise()));
  }

  /**
   * Has {@code write} (blocking) write and fdatasync {@code tmpFile}, then commits it as
   * {@link #commit} does. With no batch in flight the file is a batch of its own, written and
   * renamed in a single worker task (one client sending one message at a time: one hand-off to a
   * worker before its 250, not two); otherwise it is written at once, while that batch still runs,
   * and joins the next one.
   */
  Future<Void> commitWritten(Path tmpFile, Path target, Preparation write) {
    Pending alone = new Pending(tmpFile, target, write, null, vertx.getOrCreateContext(), Promise.promise());
    synchronized (this) {
      if (inFlight) {
        alone = null;
      } else {
        inFlight = true;
      }
    }
    if (alone != null) {
      run(List.of(alone));
      return alone.promise().future();
    }
    return vertx.<Void>executeBlocking(() -> {
      write.run();
      return null;
    }, false).compose(v -> commit(tmpFile, target, true));
  }

  /**
   * Makes a small message durable through the journal, then keeps {@code file} (the message's
   * whole spool file, at most {@link SpoolJournal#MAX_RECORDED_OCTETS} of content) resident (see
   * {@link ResidentMessages}), or, past their budget, writes it as {@code target}, with no fsync of
   * its own. The buffers must not change until the future completes.
   */
  Future<Void> commitJournaled(Path target, ByteBuffer[] file) {
    return enqueue(new Pending(null, target, null, file, vertx.getOrCreateContext(), Promise.promise()));
  }

  private Future<Void> enqueue(Pending pending) {
    Promise<Void> promise = pending.promise();
    List<Pending> batch = null;
    synchronized (this) {
      waiting.add(pending);
      if (!inFlight) {
        inFlight = true;
        batch = takeWaiting();
      }
    }
    if (batch != null) {
      run(batch);
    }
    return promise.future();
  }

  /**
   * Whether a message larger than {@link SpoolJournal#MAX_MESSAGE_OCTETS}, whose spool file is
   * {@code fileOctets}, is better journaled now than given a file of its own (a hint, which
   * another commit may falsify at once): no batch is in flight, so it would be a batch of its own,
   * its client the only one waiting, and one journal sync replaces its file's two; and the
   * residents have room for it. A journaled message still queued when its segment retires is
   * written and synced again by the checkpoint, which for a large one costs more than its own
   * file did: among concurrent commits the batch shares the files' syncs already, and a full
   * budget says the queue keeps what it takes, so the checkpoint would find this one too.
   */
  synchronized boolean journalsAlone(long fileOctets) {
    return !inFlight && residents.hasRoom(fileOctets);
  }

  /** The resident messages: journaled, without their file in incoming yet. */
  ResidentMessages residents() {
    return residents;
  }

  /** Whether a message's file in incoming may still be incomplete (it is being written). */
  boolean isPublishing(String queueId) {
    return publishing.contains(queueId);
  }

  long batches() {
    return batches.get();
  }

  long messages() {
    return messages.get();
  }

  private List<Pending> takeWaiting() {
    List<Pending> batch = waiting;
    waiting = new ArrayList<>();
    return batch;
  }

  private void run(List<Pending> batch) {
    long start = System.nanoTime();
    List<Preparation> preparations = new ArrayList<>();
    for (Pending p : batch) {
      if (p.prepare() != null) {
        preparations.add(p.prepare());
      }
    }
    // a lone preparation runs first in the task that publishes: a hand-off less, in the same order
    Preparation inline = preparations.size() == 1 ? preparations.remove(0) : null;
    List<Future<Void>> prepared = new ArrayList<>(preparations.size());
    for (Preparation p : preparations) {
      prepared.add(vertx.<Void>executeBlocking(() -> {
        p.run();
        return null;
      }, false));
    }
    // join, not all: nothing may be renamed or deleted while another sync of the batch still runs.
    Future<Void> done = Future.join(prepared).compose(v -> vertx.executeBlocking(() -> {
      if (inline != null) {
        inline.run();
      }
      List<SpoolJournal.Entry> entries = new ArrayList<>();
      for (Pending p : batch) {
        if (p.journaled() != null) {
          entries.add(new SpoolJournal.Entry(p.target().getFileName().toString(), p.journaled()));
        }
      }
      SpoolJournal.Segment segment = entries.isEmpty() ? null : journal.append(entries);
      entries.forEach(e -> publishing.add(e.queueId()));
      try {
        publish(batch, entries.size() < batch.size());
      } catch (IOException | RuntimeException e) {
        // the clients hear that it failed: the journal must not bring these messages back. One
        // sync for all the done records: after a failed one nothing is synced again and trusted
        // (the journal abandons the segment instead, see SpoolJournal#force).
        if (!entries.isEmpty()) {
          for (SpoolJournal.Entry entry : entries) {
            try {
              journal.done(entry.queueId(), false);
            } catch (IOException | RuntimeException undo) {
              e.addSuppressed(undo);
            }
          }
          try {
            journal.sync();
          } catch (IOException | RuntimeException undo) {
            e.addSuppressed(undo);
          }
        }
        throw e;
      } finally {
        entries.forEach(e -> publishing.remove(e.queueId()));
        // a checkpoint of the segment must not run before the files it syncs exist (issue #12)
        if (segment != null && journal.published(segment)) {
          checkpoint();
        }
      }
      return null;
    }, false));
    done.onComplete(ar -> {
      if (ar.succeeded()) {
        batches.incrementAndGet();
        messages.addAndGet(batch.size());
        meters.committed(start, batch.size());
      } else {
        log.error("spool group commit of {} message(s) failed", batch.size(), ar.cause());
      }
      try {
        for (Pending p : batch) {
          p.context().runOnContext(v -> p.promise().handle(ar.mapEmpty()));
        }
      } finally {
        runNextOrIdle();
      }
    });
  }

  /**
   * Checkpoints the retired segments in a worker task, unless one is queued or running already: a
   * checkpoint of a large segment syncs thousands of files, and every batch meanwhile finds the
   * oldest segment ready. A task for each would wait on the checkpoint's lock, one worker thread
   * each, until none was left for the group commits themselves. The one task does every segment
   * ready when it runs, and looks again before it ends for one that became ready too late for it
   * (on the worker: the look takes the journal's lock, which an append holds through its sync).
   */
  private void checkpoint() {
    if (!checkpointing.compareAndSet(false, true)) {
      return;
    }
    vertx.<Void>executeBlocking(() -> {
      do {
        journal.checkpointRetired();
        checkpointing.set(false);
      } while (journal.checkpointDue() && checkpointing.compareAndSet(false, true));
      return null;
    }, false).onFailure(e -> {
      // the task failed (or never ran) while it held the flag
      checkpointing.set(false);
      log.error("spool journal checkpoint failed; it is retried after the next segment", e);
    });
  }

  private void runNextOrIdle() {
    List<Pending> next;
    synchronized (this) {
      if (waiting.isEmpty()) {
        inFlight = false;
        return;
      }
      next = takeWaiting();
    }
    run(next);
  }

  /**
   * Blocking: keeps the journaled messages resident, or writes their files straight into incoming
   * (the journal already has them, and {@link #isPublishing} keeps readers away until they are
   * whole), renames the others into it and, when there were some, fsyncs it; or undoes all of that.
   */
  private void publish(List<Pending> batch, boolean syncDirectory) throws IOException {
    List<Path> placed = new ArrayList<>(batch.size());
    List<String> kept = new ArrayList<>();
    try {
      if (!syncDirectory && !Files.isDirectory(incoming)) {
        // what a file written there would have found: the spool is broken, and takes no mail
        // (one look a batch; a resident's file is only written later, see ResidentMessages)
        throw new NoSuchFileException(incoming.toString(), null, "the spool's incoming directory is missing");
      }
      for (Pending p : batch) {
        String id = p.target().getFileName().toString();
        if (p.journaled() != null && residents.keep(id, p.journaled())) {
          kept.add(id);
          // to be deleted on undo as well, after it is forgotten: in case something materialized it
          placed.add(p.target());
        } else if (p.journaled() != null) {
          // listed first: a write that fails half way leaves a file to take out again
          placed.add(p.target());
          DurableFiles.write(p.target(), false, false, p.journaled());
        } else {
          Files.move(p.tmpFile(), p.target(), StandardCopyOption.ATOMIC_MOVE);
          placed.add(p.target());
        }
      }
      if (syncDirectory) {
        DurableFiles.fsyncDirectory(incoming);
      }
    } catch (IOException | RuntimeException e) {
      // The clients are told the message was not accepted; a copy left in incoming would be
      // delivered after a restart although they will send it again. The kept ones are forgotten
      // before their (unlikely) files are deleted: see ResidentMessages.
      kept.forEach(residents::forget);
      for (Path target : placed) {
        try {
          Files.deleteIfExists(target);
        } catch (IOException | RuntimeException undo) {
          e.addSuppressed(undo);
        }
      }
      throw e;
    }
  }
}
