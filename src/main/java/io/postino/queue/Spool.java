package io.postino.queue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.OpenOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The durable spool: one file per message under {@code <dir>/incoming}, written first under
 * {@code <dir>/tmp}. A file reaches {@code incoming} only after its content is fsync'd, by an
 * atomic rename followed by an fsync of the directory; so a file in {@code incoming} is always
 * whole, and a file in {@code tmp} at start-up was never acknowledged and is deleted. Files that
 * cannot be read back at start-up are moved to {@code <dir>/corrupt}.
 *
 * <p>Group commit: messages committed while an earlier batch is being synced wait and are synced
 * together in the next batch, sharing its directory fsync; each commit future completes only once
 * the fsync that covers its message has returned.
 *
 * <p>Thread-safe: shared by every server verticle instance (all event loops). Open a directory
 * once per process: opening it cleans {@code tmp}, which would destroy messages being written by
 * another instance on the same directory.
 *
 * <p>SECURITY: spool files hold other people's mail and are created readable by their owner only;
 * a queue id becomes a file name, so {@link #create} refuses any id that is not a short
 * alphanumeric string.
 */
public final class Spool {

  private static final String TMP = "tmp";
  private static final String INCOMING = "incoming";
  private static final String CORRUPT = "corrupt";

  private final Vertx vertx;
  private final Path dir;
  private final Path tmp;
  private final Path incoming;
  private final GroupCommitter committer;
  private final List<SpooledMessage> recovered;

  private Spool(Vertx vertx, Path dir, List<SpooledMessage> recovered) {
    this.vertx = vertx;
    this.dir = dir;
    this.tmp = dir.resolve(TMP);
    this.incoming = dir.resolve(INCOMING);
    this.committer = new GroupCommitter(vertx, incoming);
    this.recovered = recovered;
  }

  /** Opens (creating directories as needed) and recovers the spool; see {@link #recovered()}. */
  public static Future<Spool> open(Vertx vertx, Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    return vertx.executeBlocking(() -> {
      for (String sub : List.of(TMP, INCOMING, CORRUPT)) {
        DurableFiles.createDirectories(abs.resolve(sub));
      }
      List<SpooledMessage> found =
          new SpoolRecovery(abs.resolve(TMP), abs.resolve(INCOMING), abs.resolve(CORRUPT)).run();
      return new Spool(vertx, abs, found);
    }, false);
  }

  /** A new unique queue id: short, sortable by time, safe as a file name. */
  public String newQueueId() {
    return QueueIds.next();
  }

  /**
   * Starts writing a message: creates its temporary file and writes the envelope header. Call on
   * the event loop of the session; the writer's futures complete there.
   */
  public Future<SpoolWriter> create(Envelope envelope) {
    String id = envelope.queueId();
    if (!QueueIds.isAcceptable(id)) {
      return Future.failedFuture(new IllegalArgumentException("unacceptable queue id: " + id));
    }
    byte[] header;
    try {
      header = SpoolFileFormat.header(envelope);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    Path tmpFile = tmp.resolve(id);
    OpenOptions newFile = new OpenOptions()
        .setRead(false)
        .setWrite(true)
        .setCreateNew(true)
        .setPerms("rw-------");
    return vertx.fileSystem().open(tmpFile.toString(), newFile)
        .map(file -> new SpoolFileWriter(vertx, committer, envelope, file, tmpFile,
            incoming.resolve(id), header));
  }

  /** The whole messages found in {@code incoming} when the spool was opened, oldest first. */
  public List<SpooledMessage> recovered() {
    return recovered;
  }

  /** Deletes a message whose every recipient has a final result. */
  public Future<Void> remove(SpooledMessage message) {
    Path file = message.file().toAbsolutePath().normalize();
    if (!incoming.equals(file.getParent())) {
      return Future.failedFuture(new IllegalArgumentException("not a file of this spool: " + file));
    }
    // No directory fsync: a deletion lost in a crash only means the message is delivered again,
    // which SMTP's at-least-once contract allows (and Maildir delivery is idempotent).
    return vertx.executeBlocking(() -> {
      Files.deleteIfExists(file);
      return null;
    }, false);
  }

  public Path directory() {
    return dir;
  }

  /** Group-commit batches completed successfully since the spool was opened. */
  public long commitBatches() {
    return committer.batches();
  }

  /** Messages made durable by those batches. */
  public long committedMessages() {
    return committer.messages();
  }
}
