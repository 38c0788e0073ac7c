package io.postino.spool;

import io.postino.files.BatchedWork;
import io.postino.files.DurableFiles;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Shared syncs (of a directory, or of the journal): callers that ask while a sync runs are served
 * together by the next one, so a burst of deletions or renames costs a couple of fsyncs, not one
 * each. A caller's future completes only after a sync that started after its call: a
 * {@link BatchedWork} of unbounded batches whose work is the one sync.
 *
 * <p>Thread-safe; each future completes on the caller's context.
 */
final class SharedSync {

  /** The sync itself: blocking, run on a worker thread. */
  interface Action {
    void run() throws IOException;
  }

  private final BatchedWork<Void, Void> syncs;

  SharedSync(Vertx vertx, Action action) {
    this.syncs = new BatchedWork<>(vertx, Integer.MAX_VALUE, (callers, failures) -> vertx.executeBlocking(() -> {
      action.run();
      return null;
    }, false), caller -> null);
  }

  /** Shared fsyncs of a directory. */
  static SharedSync ofDirectory(Vertx vertx, Path dir) {
    return new SharedSync(vertx, () -> DurableFiles.fsyncDirectory(dir));
  }

  Future<Void> sync() {
    return syncs.submit(null);
  }
}
