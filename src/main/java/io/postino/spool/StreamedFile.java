package io.postino.spool;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;

/**
 * The temporary file of a message that streams to {@code tmp} (see {@link SpoolFileWriter}): an
 * {@link AsyncFile} whose writes are counted, so that it is closed only after the last of them,
 * and whose first failed write fails the close.
 *
 * <p>Not thread-safe: use it on the writer's context.
 */
final class StreamedFile {

  private final AsyncFile file;
  private int writesInFlight;
  private Throwable failure;
  private Promise<Void> writesDone;

  StreamedFile(AsyncFile file) {
    this.file = file;
  }

  Future<Void> write(Buffer buffer) {
    writesInFlight++;
    Future<Void> write = file.write(buffer);
    write.onComplete(ar -> {
      writesInFlight--;
      if (ar.failed() && failure == null) {
        failure = ar.cause();
      }
      if (writesInFlight == 0 && writesDone != null) {
        writesDone.complete();
      }
    });
    return write;
  }

  boolean writeQueueFull() {
    return file.writeQueueFull();
  }

  void drainHandler(Handler<Void> handler) {
    file.drainHandler(handler);
  }

  /**
   * Closes the file once every queued write has finished, after writing {@code firstLine} (unless
   * null) over the start of the file; fails if any write failed.
   */
  Future<Void> closeAfterWrites(Buffer firstLine) {
    Future<Void> idle;
    if (writesInFlight == 0) {
      idle = Future.succeededFuture();
    } else {
      writesDone = Promise.promise();
      idle = writesDone.future();
    }
    return idle
        .compose(v -> firstLine == null || failure != null ? Future.<Void>succeededFuture()
            : file.write(firstLine, 0).onFailure(e -> failure = e))
        .transform(ignored -> file.close())
        .compose(v -> failure == null ? Future.succeededFuture() : Future.failedFuture(failure));
  }
}
