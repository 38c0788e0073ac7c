package io.postino.bus;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/**
 * Lets a queue's delivery jobs, and their replies, go to a delivery verticle of the same process as
 * the records themselves ({@link DeliveryJob}, {@link DeliveryReply}): not turned into JSON, copied
 * and read back on each side, as a {@code JsonObject} body is. A job waits for its destination (an
 * MX lookup, a connection limit) holding its message, and as JSON both the sent and the received
 * copy stay with it until the reply: with 5,000 jobs of 1 KiB messages waiting, 74 MB of live heap
 * in all, against 44 MB as records.
 *
 * <p>Only what stays in the process goes so ({@code DeliveryOptions#setLocalOnly}): across a
 * cluster the jobs are the JSON of {@code postino.delivery.submit}, which every version reads. On
 * the wire these codecs write that same JSON, so a record that reached it anyway is still read by
 * a node that has registered them.
 */
public final class InProcessCodecs {

  static final MessageCodec<DeliveryJob, DeliveryJob> JOBS =
      new RecordCodec<>("postino.DeliveryJob", DeliveryJob::toJson, DeliveryJob::fromJson);
  static final MessageCodec<DeliveryReply, DeliveryReply> REPLIES =
      new RecordCodec<>("postino.DeliveryReply", DeliveryReply::toJson, DeliveryReply::fromJson);

  private InProcessCodecs() {
  }

  /**
   * Registers the codecs with {@code vertx}'s event bus, once (every queue manager of it calls this
   * at its start: only a queue sends records, and a delivery verticle answers a record in kind).
   */
  public static synchronized void register(Vertx vertx) {
    try {
      vertx.eventBus().registerDefaultCodec(DeliveryJob.class, JOBS);
      vertx.eventBus().registerDefaultCodec(DeliveryReply.class, REPLIES);
    } catch (IllegalStateException registered) {
      // another Postino of this Vert.x instance did it first
    }
  }

  /** An immutable record, handed over as it is in the process, as its JSON on the wire. */
  private record RecordCodec<T>(String name, Function<T, JsonObject> toJson, Function<JsonObject, T> fromJson)
      implements MessageCodec<T, T> {

    @Override
    public void encodeToWire(Buffer buffer, T record) {
      Buffer json = toJson.apply(record).toBuffer();
      buffer.appendInt(json.length()).appendBuffer(json);
    }

    @Override
    public T decodeFromWire(int pos, Buffer buffer) {
      int length = buffer.getInt(pos);
      return fromJson.apply(new JsonObject(buffer.getBuffer(pos + 4, pos + 4 + length)));
    }

    @Override
    public T transform(T record) {
      return record;
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
