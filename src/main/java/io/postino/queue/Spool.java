package io.postino.queue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;

/**
 * The durable spool: one file per message under {@code <dir>/incoming}, written first under
 * {@code <dir>/tmp}. A file reaches {@code incoming} only after its content is fsync'd, by an
 * atomic rename followed by an fsync of the directory; so a file in {@code incoming} is always
 * whole, and a file in {@code tmp} at start-up was never acknowledged and is deleted.
 *
 * <p>Group commit: messages committed while an earlier batch is being synced wait and are synced
 * together in the next batch, sharing its directory fsync; each commit future completes only once
 * the fsync that covers its message has returned.
 *
 * <p>Thread-safe: shared by every server verticle instance (all event loops).
 */
public final class Spool {

  /** Opens (creating directories as needed) and recovers the spool; see {@link #recovered()}. */
  public static Future<Spool> open(Vertx vertx, Path dir) {
    throw new UnsupportedOperationException("not implemented");
  }

  /** A new unique queue id: short, sortable by time, safe as a file name. */
  public String newQueueId() {
    throw new UnsupportedOperationException("not implemented");
  }

  /**
   * Starts writing a message: creates its temporary file and writes the envelope header. Call on
   * the event loop of the session; the writer's futures complete there.
   */
  public Future<SpoolWriter> create(Envelope envelope) {
    throw new UnsupportedOperationException("not implemented");
  }

  /** The whole messages found in {@code incoming} when the spool was opened, oldest first. */
  public List<SpooledMessage> recovered() {
    throw new UnsupportedOperationException("not implemented");
  }

  /** Deletes a message whose every recipient has a final result. */
  public Future<Void> remove(SpooledMessage message) {
    throw new UnsupportedOperationException("not implemented");
  }

  public Path directory() {
    throw new UnsupportedOperationException("not implemented");
  }
}
