package io.postino.queue;

import io.postino.bus.Addresses;
import io.postino.bus.SpoolRead;
import io.postino.spool.SpooledMessage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.function.Function;

/**
 * The spool read service of a queue node, at {@code <prefix>.spool.read.<node id>}: serves the
 * content of the messages under way in this queue, chunk by chunk ({@link SpoolRead}), to the
 * delivery verticles of other nodes, so that no node needs to see another's spool. Runs on the
 * queue's context (it asks the active window which messages are under way); the file is read on a
 * worker.
 *
 * <p>SECURITY: a request names a queue id and a position within the content, never a path: only
 * the content of a message that a delivery job of this queue names can be read.
 */
final class SpoolReadService {

  private final Vertx vertx;
  private final Function<String, SpooledMessage> underWay;
  private MessageConsumer<Object> consumer;
  private String nodeId;

  /** @param underWay the message of a queue id when it is in a round of delivery, else null */
  SpoolReadService(Vertx vertx, Function<String, SpooledMessage> underWay) {
    this.vertx = vertx;
    this.underWay = underWay;
  }

  /** Serves the messages of node {@code nodeId} on the bus, and marks them as this process's. */
  Future<Void> start(Addresses addresses, String nodeId) {
    this.nodeId = nodeId;
    vertx.sharedData().<String, Boolean>getLocalMap(SpoolRead.LOCAL_NODES).put(nodeId, Boolean.TRUE);
    consumer = vertx.eventBus().consumer(addresses.spoolRead(nodeId), this::handle);
    return consumer.completion();
  }

  Future<Void> stop() {
    vertx.sharedData().<String, Boolean>getLocalMap(SpoolRead.LOCAL_NODES).remove(nodeId);
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  private void handle(Message<Object> message) {
    SpoolRead read;
    try {
      if (!(message.body() instanceof JsonObject json)) {
        throw new IllegalArgumentException("expected a JSON object");
      }
      read = SpoolRead.fromJson(json);
    } catch (RuntimeException e) {
      message.fail(SpoolRead.BAD_REQUEST, "not a spool read: " + e.getMessage());
      return;
    }
    SpooledMessage spooled = underWay.apply(read.queueId());
    if (spooled == null) {
      message.fail(SpoolRead.NOT_UNDER_WAY, read.queueId() + " is not being delivered from this node");
      return;
    }
    long position = Math.min(read.position(), spooled.contentLength());
    int n = (int) Math.min(Math.min(read.length(), SpoolRead.MAX_CHUNK), spooled.contentLength() - position);
    ByteBuffer memory = spooled.content();
    if (memory != null) {
      // kept in memory by the spool: it may have no file yet
      byte[] chunk = new byte[n];
      memory.get((int) position, chunk);
      message.reply(Buffer.buffer(chunk));
      return;
    }
    vertx.executeBlocking(() -> readRange(spooled, position, n), false).onComplete(ar -> {
      if (ar.succeeded()) {
        message.reply(ar.result());
      } else {
        message.fail(500, "cannot read the content of " + read.queueId() + ": " + ar.cause().getMessage());
      }
    });
  }

  private static Buffer readRange(SpooledMessage spooled, long position, int n) throws Exception {
    ByteBuffer buf = ByteBuffer.allocate(n);
    try (FileChannel ch = FileChannel.open(spooled.file(), StandardOpenOption.READ)) {
      long at = spooled.contentOffset() + position;
      while (buf.hasRemaining()) {
        if (ch.read(buf, at + buf.position()) < 0) {
          throw new EOFException("the spool file ends before the message content does");
        }
      }
    }
    return Buffer.buffer(buf.array());
  }
}
