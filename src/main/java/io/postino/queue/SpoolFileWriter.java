package io.postino.queue;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@link SpoolWriter} of one message: an {@link AsyncFile} on {@code tmp/<queue id>} that
 * already holds the header, plus the bookkeeping to make commit and abort safe. The AsyncFile
 * gives the back-pressure; like it, this writer keeps each written buffer (without copying) until
 * that write's future completes, so callers must not modify a buffer after writing it.
 *
 * <p>Not thread-safe: use it from the context that called {@link Spool#create}.
 */
final class SpoolFileWriter implements SpoolWriter {

  /** Entered when commit() or abort() is called; how that ended is in the futures. */
  private enum State { OPEN, COMMITTED, ABORTED }

  private final Vertx vertx;
  private final GroupCommitter committer;
  private final Envelope envelope;
  private final AsyncFile file;
  private final Path tmpFile;
  private final Path target;
  private final long contentOffset;

  private State state = State.OPEN;
  private Future<SpooledMessage> commitFuture;
  private Future<Void> abortFuture;
  private long contentLength;
  private int writesInFlight;
  private Throwable writeFailure;
  private Promise<Void> writesDone;

  SpoolFileWriter(Vertx vertx, GroupCommitter committer, Envelope envelope, AsyncFile file,
      Path tmpFile, Path target, byte[] header) {
    this.vertx = vertx;
    this.committer = committer;
    this.envelope = envelope;
    this.file = file;
    this.tmpFile = tmpFile;
    this.target = target;
    this.contentOffset = header.length;
    track(file.write(Buffer.buffer(header)));
  }

  @Override
  public Future<Void> write(Buffer content) {
    if (state != State.OPEN) {
      return Future.failedFuture(new IllegalStateException("spool writer is " + state));
    }
    contentLength += content.length();
    return track(file.write(content));
  }

  @Override
  public boolean writeQueueFull() {
    // A closed AsyncFile throws here; a finished writer simply has no queue.
    return state == State.OPEN && file.writeQueueFull();
  }

  @Override
  public SpoolWriter drainHandler(Handler<Void> handler) {
    if (state == State.OPEN) {
      file.drainHandler(handler);
    }
    return this;
  }

  @Override
  public long contentLength() {
    return contentLength;
  }

  @Override
  public Future<SpooledMessage> commit() {
    if (state == State.ABORTED) {
      return Future.failedFuture(new IllegalStateException("spool writer was aborted"));
    }
    if (state == State.COMMITTED) {
      return commitFuture;
    }
    state = State.COMMITTED;
    long length = contentLength;
    commitFuture = closeAfterWrites()
        .compose(v -> committer.commit(tmpFile, target))
        .map(v -> new SpooledMessage(envelope, target, contentOffset, length))
        .recover(err -> deleteTmpFile().transform(ignored -> Future.failedFuture(err)));
    return commitFuture;
  }

  @Override
  public Future<Void> abort() {
    if (state == State.COMMITTED) {
      return Future.failedFuture(new IllegalStateException("spool writer was committed"));
    }
    if (state == State.ABORTED) {
      return abortFuture;
    }
    state = State.ABORTED;
    abortFuture = closeAfterWrites().transform(ignored -> deleteTmpFile());
    return abortFuture;
  }

  private Future<Void> track(Future<Void> write) {
    writesInFlight++;
    write.onComplete(ar -> {
      writesInFlight--;
      if (ar.failed() && writeFailure == null) {
        writeFailure = ar.cause();
      }
      if (writesInFlight == 0 && writesDone != null) {
        writesDone.complete();
      }
    });
    return write;
  }

  /** Closes the file once every queued write has finished; fails if any of them failed. */
  private Future<Void> closeAfterWrites() {
    Future<Void> idle;
    if (writesInFlight == 0) {
      idle = Future.succeededFuture();
    } else {
      writesDone = Promise.promise();
      idle = writesDone.future();
    }
    return idle
        .compose(v -> file.close())
        .compose(v -> writeFailure == null ? Future.succeededFuture() : Future.failedFuture(writeFailure));
  }

  private Future<Void> deleteTmpFile() {
    return vertx.executeBlocking(() -> {
      Files.deleteIfExists(tmpFile);
      return null;
    }, false);
  }
}
