package io.postino.spool;

import io.postino.files.BatchedWork;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Removes finished messages from {@code incoming} many at a time: at most one batch is in flight,
 * removals asked for meanwhile wait and form the next one (at most {@link #MAX_BATCH}, see
 * {@link BatchedWork}). One worker
 * task writes the batch's done records to the journal and deletes its files (a resident message,
 * see {@link ResidentMessages}, is forgotten first; most never had a file, and are not looked
 * for); when some of them
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

  private record Removal(String queueId, Path file, Path statusFile, boolean durable) {
  }

  private final Vertx vertx;
  private final SpoolJournal journal;
  private final ResidentMessages residents;
  private final SharedSync journalSync;
  private final SharedSync incomingSync;
  private final BatchedWork<Removal, Void> batches;

  SpoolRemovals(Vertx vertx, SpoolJournal journal, ResidentMessages residents, SharedSync journalSync,
      SharedSync incomingSync) {
    this.vertx = vertx;
    this.journal = journal;
    this.residents = residents;
    this.journalSync = journalSync;
    this.incomingSync = incomingSync;
    this.batches = new BatchedWork<>(vertx, MAX_BATCH, this::run, r -> null);
  }

  /**
   * Deletes {@code file} (message {@code queueId}) and {@code statusFile} (null: none); with
   * {@code durable}, the deletion reaches the disk before the future completes.
   */
  Future<Void> remove(String queueId, Path file, Path statusFile, boolean durable) {
    return batches.submit(new Removal(queueId, file, statusFile, durable));
  }

  private Future<Void> run(List<Removal> batch, Throwable[] failures) {
    return vertx.<Boolean>executeBlocking(() -> {
      boolean syncs = false;
      for (int i = 0; i < batch.size(); i++) {
        Removal r = batch.get(i);
        try {
          SpoolJournal.Segment segment = journal.done(r.queueId(), false);
          // forgotten after its done record (were it forgotten first, a checkpoint meanwhile would
          // find it live without a file and rewrite it), before the file goes (a materialization
          // under way has written it by then: no file outlives the removal); one still resident
          // never had a file to delete
          if (!residents.forget(r.queueId())) {
            Files.deleteIfExists(r.file());
          }
          if (segment != null) {
            segment.fileGone(r.queueId());
          }
          if (r.durable()) {
            syncs = true;
          } else if (r.statusFile() != null) {
            Files.deleteIfExists(r.statusFile());
          }
        } catch (IOException | RuntimeException e) {
          failures[i] = e;
        }
      }
      return syncs;
    }, false).compose(syncs -> !syncs ? Future.succeededFuture()
        : Future.all(journalSync.sync(), incomingSync.sync())
            .compose(v -> vertx.<Void>executeBlocking(() -> {
              for (int i = 0; i < batch.size(); i++) {
                Removal r = batch.get(i);
                if (r.durable() && r.statusFile() != null && failures[i] == null) {
                  try {
                    Files.deleteIfExists(r.statusFile());
                  } catch (IOException | RuntimeException e) {
                    failures[i] = e;
                  }
                }
              }
              return null;
            }, false))
            .recover(e -> {
              // a failed sync fails the durable removals only: the others never waited for it
              for (int i = 0; i < batch.size(); i++) {
                if (batch.get(i).durable() && failures[i] == null) {
                  failures[i] = e;
                }
              }
              return Future.succeededFuture();
            }));
  }
}
