package io.postino.files;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Items of file work done many at a time, as a group commit does: at most one batch is in
 * flight; items submitted meanwhile wait and form the next one, at most {@code maxBatch} of them,
 * so that a backlog is taken a bounded piece at a time. Each item keeps its own outcome: the work
 * records the failure of an item in its slot of {@code failures}; a failure of the work as a whole
 * fails every item it did not record otherwise. The items of a batch that were submitted from one
 * context are completed on it in a single task.
 *
 * <p>Thread-safe: items may be submitted from any context.
 *
 * @param <T> an item
 * @param <R> what an item's future completes with
 */
public final class BatchedWork<T, R> {

  /** The work of one batch. */
  @FunctionalInterface
  public interface Work<T> {
    /**
     * Does the work of {@code items} (on worker threads: it blocks), filling in
     * {@code failures[i]} for each item that failed; completes when every item is done.
     */
    Future<Void> run(List<T> items, Throwable[] failures);
  }

  private record Pending<T, R>(T item, Context context, Promise<R> promise) {
  }

  private final Vertx vertx;
  private final int maxBatch;
  private final Work<T> work;
  private final Function<T, R> result;

  // Guarded by this.
  private List<Pending<T, R>> waiting = new ArrayList<>();
  private boolean inFlight;

  /** @param result what the future of an item that succeeded completes with */
  public BatchedWork(Vertx vertx, int maxBatch, Work<T> work, Function<T, R> result) {
    this.vertx = vertx;
    this.maxBatch = maxBatch;
    this.work = work;
    this.result = result;
  }

  /** Has {@code item} done with the next batch; completes on the caller's context. */
  public Future<R> submit(T item) {
    Promise<R> promise = Promise.promise();
    List<Pending<T, R>> batch = null;
    synchronized (this) {
      waiting.add(new Pending<>(item, vertx.getOrCreateContext(), promise));
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

  private List<Pending<T, R>> take() {
    if (waiting.size() <= maxBatch) {
      List<Pending<T, R>> batch = waiting;
      waiting = new ArrayList<>();
      return batch;
    }
    List<Pending<T, R>> batch = new ArrayList<>(waiting.subList(0, maxBatch));
    waiting = new ArrayList<>(waiting.subList(maxBatch, waiting.size()));
    return batch;
  }

  private void run(List<Pending<T, R>> batch) {
    List<T> items = new ArrayList<>(batch.size());
    batch.forEach(p -> items.add(p.item()));
    Throwable[] failures = new Throwable[batch.size()];
    Future<Void> done;
    try {
      done = work.run(items, failures);
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    done.onComplete(ar -> {
      try {
        Map<Context, List<Runnable>> byContext = new LinkedHashMap<>();
        for (int i = 0; i < batch.size(); i++) {
          Pending<T, R> p = batch.get(i);
          Throwable failure = failures[i] != null ? failures[i] : ar.failed() ? ar.cause() : null;
          byContext.computeIfAbsent(p.context(), c -> new ArrayList<>()).add(() -> {
            if (failure == null) {
              p.promise().complete(result.apply(p.item()));
            } else {
              p.promise().fail(failure);
            }
          });
        }
        byContext.forEach((context, completions) -> context.runOnContext(v -> completions.forEach(Runnable::run)));
      } finally {
        runNextOrIdle();
      }
    });
  }

  private void runNextOrIdle() {
    List<Pending<T, R>> next;
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
