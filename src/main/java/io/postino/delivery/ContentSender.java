package io.postino.delivery;

import io.postino.bus.DeliveryJob;
import io.postino.smtp.DataEncoder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * Streams a message's content from its spool file to a connection with back-pressure: the file
 * is read in chunks and paused while the socket's write queue is full, so memory holds a few
 * chunks whatever the message size (a message of one chunk or less is read whole at once). For
 * DATA the content goes through a {@link DataEncoder} (dot-stuffing, line ends, terminator); for
 * BDAT it goes as it is.
 *
 * <p>Fails with a {@link HostException} when the content needs 8BITMIME and the host lacks it
 * (found on the way, before the first 8-bit chunk is written, so the caller can drop the
 * connection and the server discards the partial message), when the file cannot be read, or when
 * the server stops reading for longer than the stall timeout; with the connection's
 * {@link ConnectionException} when it fails.
 */
final class ContentSender {

  private static final int CHUNK = 64 * 1024;

  private final Vertx vertx;
  private final SmtpConnection connection;
  private final DeliveryJob.Content content;
  private final DataEncoder encoder;
  private final boolean refuseEightBit;
  private final Duration stallTimeout;
  private final JobDeadline deadline;
  private final Promise<Void> done = Promise.promise();
  private AsyncFile file;
  private long timer = -1;

  private ContentSender(Vertx vertx, SmtpConnection connection, DeliveryJob.Content content, boolean dotStuff,
      boolean refuseEightBit, Duration stallTimeout, JobDeadline deadline) {
    this.vertx = vertx;
    this.deadline = deadline;
    this.connection = connection;
    this.content = content;
    this.encoder = dotStuff ? new DataEncoder() : null;
    this.refuseEightBit = refuseEightBit;
    this.stallTimeout = stallTimeout;
  }

  /**
   * Sends the content.
   *
   * @param dotStuff       true for DATA (encode and terminate), false for BDAT (octets as they are)
   * @param refuseEightBit fail on the first octet above 127 (BODY=8BITMIME to a host without it)
   * @param deadline       the end of data is never written after its content cut-off: the
   *                       sender fails with {@link JobDeadline#expired()} instead
   */
  static Future<Void> send(Vertx vertx, SmtpConnection connection, DeliveryJob.Content content, boolean dotStuff,
      boolean refuseEightBit, Duration stallTimeout, JobDeadline deadline) {
    ContentSender sender = new ContentSender(vertx, connection, content, dotStuff, refuseEightBit, stallTimeout,
        deadline);
    sender.start();
    return sender.done.future();
  }

  private void start() {
    connection.closed().onComplete(v -> fail(connection.failure()));
    armTimer();
    if (content.length() <= CHUNK) {
      // a small message is read in one worker task, not in an open, a read and a close on three
      vertx.executeBlocking(() -> readWhole(content), false).onComplete(ar -> {
        if (ar.failed()) {
          fail(new HostException(Failure.temporary("4.3.0", "cannot read message content: " + ar.cause().getMessage())));
          return;
        }
        if (done.future().isComplete()) {
          return;
        }
        chunk(ar.result());
        finish();
      });
      return;
    }
    vertx.fileSystem().open(content.path(), new OpenOptions().setRead(true).setWrite(false).setCreate(false))
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
              .setReadPos(content.offset()).setReadLength(content.length());
          file.exceptionHandler(e -> fail(new HostException(
              Failure.temporary("4.3.0", "cannot read message content: " + e.getMessage()))));
          file.endHandler(v -> finish());
          file.handler(this::chunk);
        });
  }

  private static Buffer readWhole(DeliveryJob.Content content) throws IOException {
    try (FileChannel ch = FileChannel.open(Path.of(content.path()), StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate((int) content.length());
      while (buf.hasRemaining()) {
        if (ch.read(buf, content.offset() + buf.position()) < 0) {
          throw new EOFException("the spool file ends before the message content does");
        }
      }
      return Buffer.buffer(buf.array());
    }
  }

  private void chunk(Buffer data) {
    armTimer();
    if (encoder == null) {
      connection.write(data);
    } else {
      byte[] bytes = data.getBytes();
      Buffer out = Buffer.buffer(bytes.length + bytes.length / 32 + 8);
      encoder.encode(bytes, 0, bytes.length, out::appendBytes);
      if (refuseEightBit && encoder.sawEightBit()) {
        fail(new HostException(Failure.permanent(554, "5.6.3", "message has 8-bit content, but host "
            + connection.target() + " does not support 8BITMIME")));
        return;
      }
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
