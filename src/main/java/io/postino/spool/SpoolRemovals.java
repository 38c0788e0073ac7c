package io.postino.spool;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes finished messages from {@code incoming} many at a time: at most one batch is in flight,
 * removals asked for meanwhile wait and form the next one (at most {@link #MAX_BATCH}). One worker
 * task writes the batch's done records to the journal and deletes its files; when some of them
 * must be durable, the journal's and {@code incoming}'s shared syncs follow, once for the batch,
 * and only then do their status files go (were a status file gone and its message back after a
 * crash, its recipients would be delivered again). A removal that is not durable deletes its
 * status file at once: its done record reaches the disk with the journal's next fdatasync (the
 * next group commit's), its deletion with the next fsync of {@code incoming}.
 *
 * <p>Thread-safe; each future completes on the context it was asked from.
 */
final class SpoolRemovals {

  static final int MAX_BATCH = 256;

  private record Pending(String queueId, Path file, Path statusFile, boolean durable, Context context,
      Promise<Void> promise) {
  }

  private final Vertx vertx;
  private final SpoolJournal journal;
  private final SharedSync journalSync;
  private final SharedSync incomingSync;

  // Guarded by this.
  private List<Pending> waiting = new ArrayList<>();
  private boolean inFlight;

  SpoolRemovals(Vertx vertx, SpoolJournal journal, SharedSync journalSync, SharedSync incomingSync) {
    this.vertx = vertx;
    this.journal = journal;
    this.journalSync = journalSync;
    this.incomingSync = incomingSync;
  }

  /**
   * Deletes {@code file} (message {@code queueId}) and {@code statusFile} (null: none); with
   * {@code durable}, the deletion reaches the disk before the future completes.
   */
  Future<Void> remove(String queueId, Path file, Path statusFile, boolean durable) {
    Promise<Void> promise = Promise.promise();
    List<Pending> batch = null;
    synchronized (this) {
      waiting.add(new Pending(queueId, file, statusFile, durable, vertx.getOrCreateContext(), promise));
      if (!inFlight) {
        inFlight = true;
        batch = take();
      }
    }
    if (batch != null) {
      run(batch);
    }
    return promise.future();
  }

  private List<Pending> take() {
    if (waiting.size() <= MAX_BATCH) {
      List<Pending> batch = waiting;
      waiting = new ArrayList<>();
      return batch;
    }
    List<Pending> batch = new ArrayList<>(waiting.subList(0, MAX_BATCH));
    waiting = new ArrayList<>(waiting.subList(MAX_BATCH, waiting.size()));
    return batch;
  }

  private void run(List<Pending> batch) {
    Throwable[] failures = new Throwable[batch.size()];
    boolean[] ran = new boolean[1];
    vertx.<Boolean>executeBlocking(() -> {
      boolean syncs = false;
      for (int i = 0; i < batch.size(); i++) {
        Pending p = batch.get(i);
        try {
          journal.done(p.queueId(), false);
          Files.deleteIfExists(p.file());
          if (p.durable()) {
            syncs = true;
          } else if (p.statusFile() != null) {
            Files.deleteIfExists(p.statusFile());
          }
        } catch (IOException | RuntimeException e) {
          failures[i] = e;
        }
      }
      ran[0] = true;
      return syncs;
    }, false).compose(syncs -> !syncs ? Future.succeededFuture()
        : Future.all(journalSync.sync(), incomingSync.sync()).compose(v -> vertx.<Void>executeBlocking(() -> {
          for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            if (p.durable() && p.statusFile() != null && failures[i] == null) {
              try {
                Files.deleteIfExists(p.statusFile());
              } catch (IOException | RuntimeException e) {
                failures[i] = e;
              }
            }
          }
          return null;
        }, false))).onComplete(ar -> {
          for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            // a failed sync fails the durable removals only: the others never waited for it
            Throwable failure = failures[i] != null ? failures[i]
                : ar.failed() && (p.durable() || !ran[0]) ? ar.cause() : null;
            p.context().runOnContext(v -> {
              if (failure == null) {
                p.promise().complete();
              } else {
                p.promise().fail(failure);
              }
            });
          }
          runNextOrIdle();
        });
  }

  private void runNextOrIdle() {
    List<Pending> next;
    synchronized (this) {
      if (waiting.isEmpty()) {
        inFlight = false;
        return;
      }
      next = take();
    }
    run(next);
  }
}
