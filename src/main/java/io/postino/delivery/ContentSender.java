package io.postino.delivery;

import io.postino.bus.DeliveryJob;
import io.postino.smtp.DataEncoder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import java.time.Duration;

/**
 * Streams a message's content from its spool file to a connection with back-pressure: the file
 * is read in chunks and paused while the socket's write queue is full, so memory holds a few
 * chunks whatever the message size (a small message was read whole by {@link ContentPreparation},
 * and is written at once). For DATA the content goes through a {@link DataEncoder} (dot-stuffing,
 * line ends, terminator); for BDAT it goes as it is.
 *
 * <p>Fails with a {@link HostException} when the file cannot be read, or when the server stops
 * reading for longer than the stall timeout; with the connection's {@link ConnectionException}
 * when it fails.
 */
final class ContentSender {

  private static final int CHUNK = 64 * 1024;

  private final Vertx vertx;
  private final SmtpConnection connection;
  private final OutboundContent content;
  private final DataEncoder encoder;
  private final Duration stallTimeout;
  private final JobDeadline deadline;
  private final Promise<Void> done = Promise.promise();
  private AsyncFile file;
  private long timer = -1;

  private ContentSender(Vertx vertx, SmtpConnection connection, OutboundContent content, boolean dotStuff,
      Duration stallTimeout, JobDeadline deadline) {
    this.vertx = vertx;
    this.deadline = deadline;
    this.connection = connection;
    this.content = content;
    this.encoder = dotStuff ? new DataEncoder() : null;
    this.stallTimeout = stallTimeout;
  }

  /**
   * Sends the content.
   *
   * @param dotStuff true for DATA (encode and terminate), false for BDAT (octets as they are)
   * @param deadline the end of data is never written after its content cut-off: the sender fails
   *                 with {@link JobDeadline#expired()} instead
   */
  static Future<Void> send(Vertx vertx, SmtpConnection connection, OutboundContent content, boolean dotStuff,
      Duration stallTimeout, JobDeadline deadline) {
    ContentSender sender = new ContentSender(vertx, connection, content, dotStuff, stallTimeout, deadline);
    sender.start();
    return sender.done.future();
  }

  private void start() {
    connection.closed().onComplete(v -> fail(connection.failure()));
    armTimer();
    if (content.prefix() != null) {
      chunk(content.prefix());
    }
    if (content.whole() != null) {
      chunk(content.whole());
      finish();
      return;
    }
    DeliveryJob.Content range = content.range();
    vertx.fileSystem().open(range.path(), new OpenOptions().setRead(true).setWrite(false).setCreate(false))
        .onComplete(ar -> {
          if (ar.failed()) {
            fail(new HostException(Failure.temporary("4.3.0", "cannot read message content: " + ar.cause().getMessage())));
            return;
          }
          file = ar.result();
          if (done.future().isComplete()) {
            file.close();
            return;
          }
          // a small message needs no 64 KB buffer
          file.setReadBufferSize((int) Math.max(1, Math.min(CHUNK, content.length())))
              .setReadPos(range.offset()).setReadLength(range.length());
          file.exceptionHandler(e -> fail(new HostException(
              Failure.temporary("4.3.0", "cannot read message content: " + e.getMessage()))));
          file.endHandler(v -> finish());
          file.handler(this::chunk);
        });
  }

  private void chunk(Buffer data) {
    armTimer();
    if (encoder == null) {
      connection.write(data);
    } else {
      byte[] bytes = data.getBytes();
      Buffer out = Buffer.buffer(bytes.length + bytes.length / 32 + 8);
      encoder.encode(bytes, 0, bytes.length, out::appendBytes);
      connection.write(out);
    }
    if (file != null && connection.writeQueueFull()) {
      file.pause();
      connection.drainHandler(v -> {
        if (!done.future().isComplete()) {
          file.resume();
        }
      });
    }
  }

  private void finish() {
    if (done.future().isComplete()) {
      return;
    }
    if (deadline.contentTimeUp()) {
      fail(new HostException(JobDeadline.expired()));
      return;
    }
    if (encoder != null) {
      Buffer end = Buffer.buffer(8);
      encoder.finish(end::appendBytes);
      connection.write(end);
    }
    cleanUp();
    done.tryComplete();
  }

  private void fail(Throwable cause) {
    if (done.future().isComplete()) {
      return;
    }
    cleanUp();
    done.tryFail(cause);
  }

  private void cleanUp() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    if (file != null) {
      file.close();
    }
  }

  private void armTimer() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    timer = vertx.setTimer(Math.max(1, stallTimeout.toMillis()), id -> {
      timer = -1;
      fail(new HostException(Failure.temporary("4.4.2",
          "conversation with " + connection.target() + " timed out while sending message content")));
    });
  }
}
