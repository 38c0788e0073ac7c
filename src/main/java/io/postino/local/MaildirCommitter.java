package io.postino.local;

import io.postino.files.BatchedWork;
import io.postino.files.DurableFiles;
import io.vertx.core.Future;
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
 * {@link #MAX_BATCH}, see {@link BatchedWork}). A batch writes and fdatasyncs its copies in
 * {@code tmp/} on up to {@link #MAX_WRITERS} worker threads at once (concurrent fdatasyncs let
 * the file system merge its flushes), then, in one worker task, renames them into {@code new/}
 * and fsyncs each {@code new/} directory once, however many of its copies the batch holds; a
 * batch of one copy does both in a single worker task. A copy's future completes only after the
 * fsync of its {@code new/} has returned: its file is durable before
 * the spool may remove the message.
 *
 * <p>Copies fail one by one (a full disk fails the copy that found it full); a failed fsync of a
 * {@code new/} fails every copy of the batch in it, and the retry, finding its file, fsyncs the
 * directory again.
 *
 * <p>The bounds keep deliveries from holding more than {@code MAX_WRITERS} threads of the worker
 * pool that acceptance shares, or any of them for long: the spool's commits, which
 * decide when a client gets its 250, still find threads free.
 *
 * <p>Thread-safe; each future completes on the context it was asked from.
 */
final class MaildirCommitter {

  static final int MAX_BATCH = 128;
  static final int MAX_WRITERS = 4;

  private final Vertx vertx;
  private final MailboxDirectories directories;
  private final BatchedWork<MaildirCopy, Path> batches;
  private final AtomicLong directorySyncs = new AtomicLong();

  MaildirCommitter(Vertx vertx, MailboxDirectories directories) {
    this.vertx = vertx;
    this.directories = directories;
    this.batches = new BatchedWork<>(vertx, MAX_BATCH, this::run, MaildirCopy::target);
  }

  /** Makes {@code copy} durable in {@code new/}; completes with its path there. */
  Future<Path> commit(MaildirCopy copy) {
    return batches.submit(copy);
  }

  /** The fsyncs of {@code new/} directories so far: one per directory per batch. */
  long directorySyncs() {
    return directorySyncs.get();
  }

  private Future<Void> run(List<MaildirCopy> batch, Throwable[] failures) {
    int writers = Math.min(MAX_WRITERS, batch.size());
    Future<Void> published;
    if (writers == 1) {
      // a lone copy (one client's message at a time): one worker task, not two hand-offs
      published = vertx.executeBlocking(() -> {
        write(batch, failures, 0, 1);
        publish(batch, failures);
        return null;
      }, false);
    } else {
      List<Future<Void>> written = new ArrayList<>(writers);
      for (int w = 0; w < writers; w++) {
        int first = w;
        written.add(vertx.executeBlocking(() -> {
          write(batch, failures, first, writers);
          return null;
        }, false));
      }
      // each writer records its copies' failures, so these futures only fail on a rejected task
      published = Future.join(written)
          .compose(v -> vertx.executeBlocking(() -> {
            publish(batch, failures);
            return null;
          }, false));
    }
    return published.onFailure(e -> batch.forEach(
        copy -> copy.discard(new IOException("Maildir delivery not run", e))));
  }

  /** Blocking: writes and fdatasyncs every {@code step}th copy from {@code first}. */
  private void write(List<MaildirCopy> batch, Throwable[] failures, int first, int step) {
    for (int i = first; i < batch.size(); i += step) {
      try {
        batch.get(i).write(directories);
      } catch (IOException | RuntimeException e) {
        failures[i] = e;
      }
    }
  }

  /** Blocking: renames the written copies into their {@code new/} and fsyncs each of those once. */
  private void publish(List<MaildirCopy> batch, Throwable[] failures) {
    Map<Path, List<Integer>> byDirectory = new LinkedHashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      if (failures[i] != null) {
        continue;
      }
      MaildirCopy copy = batch.get(i);
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
          directories.forget(batch.get(copies.get(0)).directory());
        }
        copies.forEach(i -> failures[i] = e);
      }
    });
  }
}
