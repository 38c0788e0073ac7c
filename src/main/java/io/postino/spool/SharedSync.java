package io.postino.spool;

import io.postino.files.DurableFiles;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Shared syncs (of a directory, or of the journal): callers that ask while a sync runs are served
 * together by the next one, so a burst of deletions or renames costs a couple of fsyncs, not one
 * each. A caller's future completes only after a sync that started after its call.
 *
 * <p>Thread-safe; each future completes on the caller's context.
 */
final class SharedSync {

  /** The sync itself: blocking, run on a worker thread. */
  interface Action {
    void run() throws IOException;
  }

  private record Waiter(Context context, Promise<Void> promise) {
  }

  private final Vertx vertx;
  private final Action action;

  // Guarded by this.
  private List<Waiter> waiting = new ArrayList<>();
  private boolean inFlight;

  SharedSync(Vertx vertx, Action action) {
    this.vertx = vertx;
    this.action = action;
  }

  /** Shared fsyncs of a directory. */
  static SharedSync ofDirectory(Vertx vertx, Path dir) {
    return new SharedSync(vertx, () -> DurableFiles.fsyncDirectory(dir));
  }

  Future<Void> sync() {
    Promise<Void> promise = Promise.promise();
    List<Waiter> batch = null;
    synchronized (this) {
      waiting.add(new Waiter(vertx.getOrCreateContext(), promise));
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

  private List<Waiter> take() {
    List<Waiter> batch = waiting;
    waiting = new ArrayList<>();
    return batch;
  }

  private void run(List<Waiter> batch) {
    vertx.<Void>executeBlocking(() -> {
      action.run();
      return null;
    }, false).onComplete(ar -> {
      batch.forEach(w -> w.context().runOnContext(v -> w.promise().handle(ar)));
      List<Waiter> next;
      synchronized (this) {
        if (waiting.isEmpty()) {
          inFlight = false;
          return;
        }
        next = take();
      }
      run(next);
    });
  }
}
