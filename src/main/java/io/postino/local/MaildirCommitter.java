package io.postino.local;

import io.postino.files.DurableFiles;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes Maildir copies durable many at a time, as the spool's group commit does for messages: at
 * most one batch is in flight; copies asked for meanwhile wait and form the next one (at most
 * {@link #MAX_BATCH}). A batch writes and fdatasyncs its copies in {@code tmp/} on up to
 * {@link #MAX_WRITERS} worker threads at once (concurrent fdatasyncs let the file system merge
 * its flushes), then, in one worker task, renames them into {@code new/} and fsyncs each
 * {@code new/} directory once, however many of its copies the batch holds. A copy's future
 * completes only after the fsync of its {@code new/} has returned: its file is durable before
 * the spool may remove the message.
 *
 * <p>Copies fail one by one (a full disk fails the copy that found it full); a failed fsync of a
 * {@code new/} fails every copy of the batch in it, and the retry, finding its file, fsyncs the
 * directory again.
 *
 * <p>The batch bound keeps deliveries from holding more than {@code MAX_WRITERS + 1} threads of
 * the worker pool that acceptance shares, or one thread for long: the spool's commits, which
 * decide when a client gets its 250, still find threads free.
 *
 * <p>Thread-safe; each future completes on the context it was asked from.
 */
final class MaildirCommitter {

  static final int MAX_BATCH = 128;
  static final int MAX_WRITERS = 4;

  private record Pending(MaildirCopy copy, Context context, Promise<Path> promise) {
  }

  private final Vertx vertx;
  private final MailboxDirectories directories;
  private final AtomicLong directorySyncs = new AtomicLong();

  // Guarded by this.
  private List<Pending> waiting = new ArrayList<>();
  private boolean inFlight;

  MaildirCommitter(Vertx vertx, MailboxDirectories directories) {
    this.vertx = vertx;
    this.directories = directories;
  }

  /** Makes {@code copy} durable in {@code new/}; completes with its path there. */
  Future<Path> commit(MaildirCopy copy) {
    Promise<Path> promise = Promise.promise();
    List<Pending> batch = null;
    synchronized (this) {
      waiting.add(new Pending(copy, vertx.getOrCreateContext(), promise));
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

  /** The fsyncs of {@code new/} directories so far: one per directory per batch. */
  long directorySyncs() {
    return directorySyncs.get();
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
    int writers = Math.min(MAX_WRITERS, batch.size());
    List<Future<Void>> written = new ArrayList<>(writers);
    for (int w = 0; w < writers; w++) {
      int first = w;
      written.add(vertx.executeBlocking(() -> {
        for (int i = first; i < batch.size(); i += writers) {
          try {
            batch.get(i).copy().write(directories);
          } catch (IOException | RuntimeException e) {
            failures[i] = e;
          }
        }
        return null;
      }, false));
    }
    // each writer records its copies' failures, so these futures only fail on a rejected task
    Future.join(written)
        .compose(v -> vertx.<Void>executeBlocking(() -> {
          publish(batch, failures);
          return null;
        }, false))
        .onComplete(ar -> {
          for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            Throwable failure = ar.failed() ? ar.cause() : failures[i];
            if (ar.failed()) {
              p.copy().discard(new IOException("Maildir delivery not run", failure));
            }
            p.context().runOnContext(x -> {
              if (failure == null) {
                p.promise().complete(p.copy().target());
              } else {
                p.promise().fail(failure);
              }
            });
          }
          runNextOrIdle();
        });
  }

  /** Blocking: renames the written copies into their {@code new/} and fsyncs each of those once. */
  private void publish(List<Pending> batch, Throwable[] failures) {
    Map<Path, List<Integer>> byDirectory = new LinkedHashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      if (failures[i] != null) {
        continue;
      }
      MaildirCopy copy = batch.get(i).copy();
      try {
        copy.publish(directories);
        byDirectory.computeIfAbsent(copy.newDirectory(), d -> new ArrayList<>()).add(i);
      } catch (IOException | RuntimeException e) {
        failures[i] = e;
      }
    }
    // also for a copy found already there: the attempt that made it may have died before this fsync
    byDirectory.forEach((dir, copies) -> {
      try {
        directorySyncs.incrementAndGet();
        DurableFiles.fsyncDirectory(dir);
      } catch (IOException | RuntimeException e) {
        if (e instanceof NoSuchFileException) {
          directories.forget(batch.get(copies.get(0)).copy().directory());
        }
        copies.forEach(i -> failures[i] = e);
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
      next = take();
    }
    run(next);
  }
}
