package io.postino.spool;

import io.postino.files.BatchedWork;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What an operator does to a spooled message besides delivering it: moves between {@code incoming}
 * and {@code hold} and deletion, each made durable (the directories' fsync, shared with the
 * spool's other writers) before it is reported done. Queue ids are checked by the {@link Spool}.
 *
 * <p>Deletions are done many at a time, as {@link SpoolRemovals} does removals: an operator who
 * deletes every message of a flood ({@code postsuper -d ALL}) asks for tens of thousands at once,
 * and each batch shares one journal sync and one fsync of each directory.
 */
final class OperatorMoves {

  static final int MAX_BATCH = 256;

  /** One message to delete; {@code found} says whether it was there. */
  private record Deletion(String queueId, AtomicBoolean found) {
  }

  private final Vertx vertx;
  private final Path incoming;
  private final Path hold;
  private final Path status;
  private final SpoolJournal journal;
  private final ResidentMessages residents;
  private final SharedSync journalSync;
  private final SharedSync incomingSync;
  private final SharedSync holdSync;
  private final BatchedWork<Deletion, Boolean> deletions;

  OperatorMoves(Vertx vertx, SpoolFolders folders, SpoolJournal journal, SharedSync journalSync,
      SharedSync incomingSync, SharedSync holdSync) {
    this.vertx = vertx;
    this.incoming = folders.incoming;
    this.hold = folders.hold;
    this.status = folders.status;
    this.journal = journal;
    this.residents = folders.residents;
    this.journalSync = journalSync;
    this.incomingSync = incomingSync;
    this.holdSync = holdSync;
    this.deletions = new BatchedWork<>(vertx, MAX_BATCH, this::delete, d -> d.found().get());
  }

  /**
   * Moves a message from {@code incoming} to {@code hold} (a resident one gets its file first: hold
   * is files only); false when it is not in incoming.
   */
  Future<Boolean> hold(String queueId) {
    return move(queueId, incoming.resolve(queueId), hold.resolve(queueId), null);
  }

  /** Moves a message from {@code hold} back to {@code incoming}, due now; false when not held. */
  Future<Boolean> release(String queueId) {
    return move(queueId, hold.resolve(queueId), incoming.resolve(queueId), Instant.now());
  }

  private Future<Boolean> move(String queueId, Path from, Path to, Instant due) {
    return vertx.executeBlocking(() -> {
      residents.materialize(queueId, false);
      try {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
      } catch (NoSuchFileException e) {
        return false;
      }
      if (due != null) {
        Files.setLastModifiedTime(to, FileTime.from(due));
      }
      return true;
    }, false).compose(moved -> !moved ? Future.succeededFuture(false)
        : Future.all(incomingSync.sync(), holdSync.sync()).map(true));
  }

  /** Deletes a message, held or not, with its status file; false when there is no such message. */
  Future<Boolean> delete(String queueId) {
    return deletions.submit(new Deletion(queueId, new AtomicBoolean()));
  }

  /**
   * In the order a single deletion needs, each step once for the batch: the done records, durable
   * before any file goes (a held message whose file went first would be brought back by a crash
   * into {@code incoming}, from its journal record, and delivered); then the files, with the
   * directories' syncs; then the status files (were a status file gone and its message back after
   * a crash, its recipients would be delivered again).
   */
  private Future<Void> delete(List<Deletion> batch, Throwable[] failures) {
    SpoolJournal.Segment[] segments = new SpoolJournal.Segment[batch.size()];
    return vertx.<Boolean>executeBlocking(() -> {
      boolean journaled = false;
      for (int i = 0; i < batch.size(); i++) {
        try {
          segments[i] = journal.done(batch.get(i).queueId(), false);
          journaled |= segments[i] != null;
        } catch (IOException | RuntimeException e) {
          failures[i] = e;
        }
      }
      return journaled;
    }, false).compose(journaled -> journaled ? journalSync.sync() : Future.succeededFuture())
        .compose(v -> vertx.<Boolean>executeBlocking(() -> {
          boolean any = false;
          for (int i = 0; i < batch.size(); i++) {
            Deletion d = batch.get(i);
            if (failures[i] != null) {
              continue;
            }
            try {
              // forgotten before the files go: a materialization under way has written its file by then
              boolean resident = residents.forget(d.queueId());
              boolean found = Files.deleteIfExists(incoming.resolve(d.queueId()))
                  | Files.deleteIfExists(hold.resolve(d.queueId())) | resident;
              if (segments[i] != null) {
                segments[i].fileGone(d.queueId());
              }
              d.found().set(found);
              any |= found;
            } catch (IOException | RuntimeException e) {
              failures[i] = e;
            }
          }
          return any;
        }, false))
        .compose(any -> !any ? Future.succeededFuture()
            : Future.all(incomingSync.sync(), holdSync.sync()).compose(v -> vertx.executeBlocking(() -> {
              for (int i = 0; i < batch.size(); i++) {
                Deletion d = batch.get(i);
                if (d.found().get() && failures[i] == null) {
                  try {
                    Files.deleteIfExists(status.resolve(d.queueId()));
                  } catch (IOException | RuntimeException e) {
                    failures[i] = e;
                  }
                }
              }
              return null;
            }, false)));
  }

  /** Whether a message is on hold. */
  Future<Boolean> isHeld(String queueId) {
    Path file = hold.resolve(queueId);
    return vertx.executeBlocking(() -> Files.exists(file), false);
  }

  /** The queue ids of the messages on hold. */
  Future<List<String>> held() {
    return vertx.executeBlocking(() -> SpoolFolders.list(hold).stream()
        .map(p -> p.getFileName().toString()).sorted().toList(), false);
  }
}
