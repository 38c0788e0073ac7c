package io.postino.delivery;

import io.postino.bus.Addresses;
import io.postino.bus.DeliveryJob;
import io.postino.bus.SpoolRead;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Brings the content of a job owned by another node to this one, from that node's spool read
 * service ({@link SpoolRead}): one request per chunk of {@value #CHUNK} octets, the next asked
 * for once the last is written, so the owner never sends faster than this node stores and memory
 * holds one chunk. Content of one chunk or less (most mail) comes in one request and stays in
 * memory; larger content goes to a file in this node's {@code fetched} directory, which the job
 * then reads as it would the spool file (conversion, SIZE, retries on the next host: all from the
 * one copy), and which is deleted when the job is done. A file a crash leaves there is deleted at
 * the next start ({@link DeliveryVerticle}).
 *
 * <p>Fails when a chunk does not come within the command timeout (or by the job's deadline), when
 * the owner no longer delivers the message, or when the octets do not add up to the length the
 * job gave.
 */
final class ContentFetch {

  /**
   * Octets asked for at a time, and the outbound side's unit of streaming (the reads of a spool
   * file, the buffers of a conversion); content this long or shorter is fetched in one request.
   */
  static final int CHUNK = 64 * 1024;

  private final Vertx vertx;
  private final Addresses addresses;
  private final DeliveryJob job;
  private final Path dir;
  private final Duration timeout;
  private final long deadline;
  private final long length;

  private ContentFetch(Vertx vertx, Addresses addresses, DeliveryJob job, Path dir, Duration timeout, long deadline) {
    this.vertx = vertx;
    this.addresses = addresses;
    this.job = job;
    this.dir = dir;
    this.timeout = timeout;
    this.deadline = deadline;
    this.length = job.content().length();
  }

  /**
   * The job's content on this node: in memory, or the whole of a file in {@code dir} that the
   * caller deletes (see {@link #isFetchedFile}) once the job is done.
   *
   * @param deadline epoch milliseconds after which no chunk is waited for
   */
  static Future<DeliveryJob.Content> fetch(Vertx vertx, Addresses addresses, DeliveryJob job, Path dir,
      Duration timeout, long deadline) {
    return new ContentFetch(vertx, addresses, job, dir, timeout, deadline).run();
  }

  /** Whether {@code content} is a file {@link #fetch} made. */
  static boolean isFetchedFile(DeliveryJob.Content content, Path dir) {
    return content.data() == null && content.path() != null && Path.of(content.path()).getParent().equals(dir);
  }

  private Future<DeliveryJob.Content> run() {
    if (length <= CHUNK) {
      return chunk(0).map(DeliveryJob.Content::inline);
    }
    return vertx.fileSystem().mkdirs(dir.toString())
        .compose(v -> vertx.fileSystem().createTempFile(dir.toString(), job.queueId() + ".", ".fetched", (String) null))
        .compose(temp -> vertx.fileSystem().open(temp, new OpenOptions().setWrite(true).setCreate(false))
            .compose(file -> copy(file, 0).eventually(file::close))
            .map(v -> new DeliveryJob.Content(temp, 0, length))
            .onFailure(e -> vertx.fileSystem().delete(temp)));
  }

  private Future<Void> copy(AsyncFile file, long position) {
    if (position == length) {
      return Future.succeededFuture();
    }
    return chunk(position).compose(data -> file.write(data, position).compose(v -> copy(file, position + data.length())));
  }

  /** The next chunk from {@code position}: all that is left up to {@link #CHUNK}, or a failure. */
  private Future<Buffer> chunk(long position) {
    long expected = Math.min(CHUNK, length - position);
    long wait = Math.min(timeout.toMillis(), deadline - System.currentTimeMillis());
    if (wait <= 0) {
      return Future.failedFuture("the job reached its deadline while its content was being fetched");
    }
    return vertx.eventBus().<Buffer>request(addresses.spoolRead(job.content().node()),
            new SpoolRead(job.queueId(), position, CHUNK).toJson(), new DeliveryOptions().setSendTimeout(wait))
        .compose(reply -> {
          Buffer data = reply.body();
          // a chunk smaller than asked for before the end: the file there is not the one the job measured
          if (data == null || data.length() != expected) {
            return Future.failedFuture("node " + job.content().node() + " gave " + (data == null ? 0 : data.length())
                + " octets at " + position + " where " + expected + " were due");
          }
          return Future.succeededFuture(data);
        });
  }
}
