package io.postino.queue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Shared fsyncs of one directory: callers that ask while a sync runs are served together by the
 * next one, so a burst of deletions or renames costs a couple of directory fsyncs, not one each.
 * A caller's future completes only after a sync that started after its call.
 *
 * <p>Thread-safe; each future completes on the caller's context.
 */
final class DirectorySync {

  private record Waiter(Context context, Promise<Void> promise) {
  }

  private final Vertx vertx;
  private final Path dir;

  // Guarded by this.
  private List<Waiter> waiting = new ArrayList<>();
  private boolean inFlight;

  DirectorySync(Vertx vertx, Path dir) {
    this.vertx = vertx;
    this.dir = dir;
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
      DurableFiles.fsyncDirectory(dir);
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
