package io.postino.queue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves closed temporary spool files into {@code incoming} durably, many at a time: at most one
 * batch is in flight; commits arriving meanwhile wait and form the next batch. A batch fdatasyncs
 * those of its files not synced by their writer yet, concurrently on worker threads (concurrent
 * fsyncs let a journaling file system merge its commits), renames each into {@code incoming}, and
 * fsyncs {@code incoming} once for all of them.
 * Only then does any commit of the batch complete; if any step fails, every commit of the batch
 * fails and the files already renamed are taken out of {@code incoming} again.
 *
 * <p>Thread-safe: called from every event loop. Each commit completes on the context it was
 * called from.
 */
final class GroupCommitter {

  private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);

  private record Pending(Path tmpFile, Path target, boolean synced, Context context, Promise<Void> promise) {
  }

  private final Vertx vertx;
  private final Path incoming;
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong messages = new AtomicLong();

  // Guarded by this.
  private List<Pending> waiting = new ArrayList<>();
  private boolean inFlight;

  GroupCommitter(Vertx vertx, Path incoming) {
    this.vertx = vertx;
    this.incoming = incoming;
  }

  /**
   * Makes {@code tmpFile} (closed, fully written, and already fdatasync'd when {@code synced})
   * durable as {@code target} in {@code incoming}. On failure {@code target} does not exist, and
   * the caller deletes {@code tmpFile} if it is still there.
   */
  Future<Void> commit(Path tmpFile, Path target, boolean synced) {
    Promise<Void> promise = Promise.promise();
    Pending pending = new Pending(tmpFile, target, synced, vertx.getOrCreateContext(), promise);
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
    List<Future<Void>> syncs = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      if (!p.synced()) {
        syncs.add(vertx.<Void>executeBlocking(() -> {
          DurableFiles.fdatasync(p.tmpFile());
          return null;
        }, false));
      }
    }
    // join, not all: nothing may be renamed or deleted while another sync of the batch still runs.
    Future<Void> done = Future.join(syncs).compose(v -> vertx.<Void>executeBlocking(() -> {
      publish(batch);
      return null;
    }, false));
    done.onComplete(ar -> {
      if (ar.succeeded()) {
        batches.incrementAndGet();
        messages.addAndGet(batch.size());
      } else {
        log.error("spool group commit of {} message(s) failed", batch.size(), ar.cause());
      }
      try {
        for (Pending p : batch) {
          p.context().runOnContext(v -> p.promise().handle(ar));
        }
      } finally {
        runNextOrIdle();
      }
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

  /** Blocking: renames the synced files into incoming and fsyncs it, or undoes the renames. */
  private void publish(List<Pending> batch) throws IOException {
    List<Path> renamed = new ArrayList<>(batch.size());
    try {
      for (Pending p : batch) {
        Files.move(p.tmpFile(), p.target(), StandardCopyOption.ATOMIC_MOVE);
        renamed.add(p.target());
      }
      DurableFiles.fsyncDirectory(incoming);
    } catch (IOException | RuntimeException e) {
      // The clients are told the message was not accepted; a copy left in incoming would be
      // delivered after a restart although they will send it again.
      for (Path target : renamed) {
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
