package io.postino.bus;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * The request body of a spool read service ({@link Addresses#spoolRead}): up to {@code length}
 * octets of the content of message {@code queueId}, from {@code position} (0 is the first octet of
 * the content, never of the spool file: the envelope and everything else in the file stay out of
 * reach).
 *
 * <pre>{@code
 * {"version": 1, "queueId": "01HV5Q8Z3K2M4AB", "position": 65536, "length": 65536}
 * }</pre>
 *
 * <p>The reply is a {@code Buffer}: the octets {@code [position, position + n)} of the content,
 * with {@code n = min(length, MAX_CHUNK, contentLength - position)}, so an empty buffer means the
 * end. A reader asks for the next chunk once it has used the last one: the owning node never sends
 * more than is asked for, which is the stream's back-pressure. Failures: {@link #NOT_UNDER_WAY}
 * when the message is not in a round of delivery on that node (delivered meanwhile, deleted, or
 * never there), {@link #BAD_REQUEST}, or 500 when the spool file cannot be read.
 *
 * <p>SECURITY: the service takes a queue id, never a path, and serves only the content of
 * messages whose delivery is under way, the ones a delivery job may name.
 */
public record SpoolRead(String queueId, long position, int length) {

  public static final int VERSION = 1;

  /** The most octets one reply carries, whatever was asked. */
  public static final int MAX_CHUNK = 256 * 1024;

  /** The failure code of a request for a message that is not being delivered. */
  public static final int NOT_UNDER_WAY = 404;

  /** The failure code of a request that is not one. */
  public static final int BAD_REQUEST = 400;

  /**
   * The local map (of each Vert.x instance) of the node ids whose read service runs in it: a job
   * naming one of them lies in a spool of this process, whose file a delivery verticle reads
   * directly rather than over the bus.
   */
  public static final String LOCAL_NODES = "postino.spool.read.local-nodes";

  /** Whether the read service of {@code node} runs in {@code vertx}. */
  public static boolean servedHere(Vertx vertx, String node) {
    return node != null && vertx.sharedData().<String, Boolean>getLocalMap(LOCAL_NODES).containsKey(node);
  }

  public SpoolRead {
    Objects.requireNonNull(queueId, "queueId");
    if (position < 0 || length <= 0) {
      throw new IllegalArgumentException("a read needs a position of 0 or more and a positive length");
    }
  }

  public JsonObject toJson() {
    return new JsonObject().put("version", VERSION).put("queueId", queueId).put("position", position)
        .put("length", length);
  }

  /** Reads a request; throws {@link IllegalArgumentException} or another runtime exception when malformed. */
  public static SpoolRead fromJson(JsonObject json) {
    BusJson.checkVersion(json, VERSION, "spool read");
    return new SpoolRead(BusJson.requiredString(json, "queueId"), json.getLong("position"), json.getInteger("length"));
  }
}
