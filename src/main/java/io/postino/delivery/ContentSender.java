package io.postino.delivery;

import io.netty.buffer.ByteBuf;
import io.postino.bus.DeliveryJob;
import io.postino.smtp.DataEncoder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.internal.buffer.BufferInternal;
import java.time.Duration;

/**
 * Streams a message's content from its spool file to a connection with back-pressure: the file
 * is read in chunks and paused while the socket's write queue is full, so memory holds a few
 * chunks whatever the message size; content {@link ContentPreparation} read whole is written at
 * once, with its end, in one write. For DATA the content goes through a {@link DataEncoder}
 * (dot-stuffing, line ends, terminator); for BDAT it goes as it is. Either way it is encoded
 * straight from where it was read into the connection's buffer ({@link SmtpConnection#buffer}),
 * with no copy in between.
 *
 * <p>Fails with a {@link HostException} when the file cannot be read, or when the server stops
 * reading for longer than the stall timeout; with the connection's {@link ConnectionException}
 * when it fails.
 */
final class ContentSender {

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
    if (content.whole() != null) {
      // held in memory: encoded straight into the socket's buffer, and written with its end at once
      ByteBuf out = connection.buffer(room(content.length()));
      if (content.prefix() != null) {
        encode(content.prefix(), out);
      }
      encode(content.whole(), 0, content.whole().length, out);
      finish(out);
      return;
    }
    armTimer();
    if (content.prefix() != null) {
      chunk(content.prefix());
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
          file.setReadBufferSize((int) Math.max(1, Math.min(ContentFetch.CHUNK, content.length())))
              .setReadPos(range.offset()).setReadLength(range.length());
          file.exceptionHandler(e -> fail(new HostException(
              Failure.temporary("4.3.0", "cannot read message content: " + e.getMessage()))));
          file.endHandler(v -> finish(null));
          file.handler(this::chunk);
        });
  }

  private void chunk(Buffer data) {
    armTimer();
    ByteBuf out = connection.buffer(room(data.length()));
    encode(data, out);
    connection.write(out);
    if (file != null && connection.writeQueueFull()) {
      file.pause();
      connection.drainHandler(v -> {
        if (!done.future().isComplete()) {
          file.resume();
        }
      });
    }
  }

  /** Room for {@code length} octets of content once encoded: a little more for DATA's doubled dots and CRs. */
  private int room(long length) {
    return (int) (encoder == null ? length : length + length / 32 + 8);
  }

  /** Encodes a buffer's octets from its own array where it has one (no copy of them first). */
  private void encode(Buffer data, ByteBuf out) {
    ByteBuf in = ((BufferInternal) data).getByteBuf();
    if (in.hasArray()) {
      encode(in.array(), in.arrayOffset() + in.readerIndex(), in.readableBytes(), out);
    } else {
      byte[] bytes = data.getBytes();
      encode(bytes, 0, bytes.length, out);
    }
  }

  private void encode(byte[] bytes, int offset, int length, ByteBuf out) {
    if (encoder == null) {
      out.writeBytes(bytes, offset, length);
    } else {
      encoder.encode(bytes, offset, length, out::writeBytes);
    }
  }

  /** Ends the content after {@code last} (the rest of it, or null) unless it is too late. */
  private void finish(ByteBuf last) {
    if (done.future().isComplete() || deadline.contentTimeUp()) {
      if (last != null) {
        last.release();
      }
      // the end of data never goes out after the content cut-off (no effect once done)
      fail(new HostException(JobDeadline.expired()));
      return;
    }
    ByteBuf out = last;
    if (encoder != null) {
      out = out != null ? out : connection.buffer(8);
      encoder.finish(out::writeBytes);
    }
    if (out != null) {
      connection.write(out);
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
