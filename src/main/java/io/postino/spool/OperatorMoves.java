package io.postino.spool;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

/**
 * What an operator does to a spooled message besides delivering it: moves between {@code incoming}
 * and {@code hold} and deletion, each made durable (the directories' fsync, shared with the
 * spool's other writers) before it is reported done. Queue ids are checked by the {@link Spool}.
 */
final class OperatorMoves {

  private final Vertx vertx;
  private final Path incoming;
  private final Path hold;
  private final Path status;
  private final SpoolJournal journal;
  private final ResidentMessages residents;
  private final SharedSync incomingSync;
  private final SharedSync holdSync;

  OperatorMoves(Vertx vertx, SpoolFolders folders, SpoolJournal journal, SharedSync incomingSync,
      SharedSync holdSync) {
    this.vertx = vertx;
    this.incoming = folders.incoming;
    this.hold = folders.hold;
    this.status = folders.status;
    this.journal = journal;
    this.residents = folders.residents;
    this.incomingSync = incomingSync;
    this.holdSync = holdSync;
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
    return vertx.executeBlocking(() -> {
      SpoolJournal.Segment segment = journal.done(queueId, true);
      // forgotten before the files go: a materialization under way has written its file by then
      boolean resident = residents.forget(queueId);
      boolean found = Files.deleteIfExists(incoming.resolve(queueId)) | Files.deleteIfExists(hold.resolve(queueId))
          | resident;
      if (segment != null) {
        segment.fileGone(queueId);
      }
      return found;
    }, false).compose(found -> !found ? Future.succeededFuture(false)
        : Future.all(incomingSync.sync(), holdSync.sync()).compose(v -> vertx.executeBlocking(() -> {
          Files.deleteIfExists(status.resolve(queueId));
          return true;
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
