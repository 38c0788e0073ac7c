package io.postino.spool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The spool of a server that is not running, as the command line reads it: {@link #inspect}.
 */
public final class StoppedSpool {

  private StoppedSpool() {
  }

  /** What {@link #inspect} hands its reader: the queue of a stopped server, read-only. */
  public interface Queue {
    List<QueuedMessage> list(QueueFilter filter) throws IOException;

    /** Null when there is no such message. */
    MessageDetails show(String queueId) throws IOException;
  }

  /** Reads a stopped server's queue. */
  @FunctionalInterface
  public interface Reader<T> {
    T read(Queue queue) throws IOException;
  }

  /**
   * Reads the queue of a spool no server runs on (the command line's {@code queue list} and
   * {@code show} when no server answers), holding the directory's lock meanwhile, so that a server
   * cannot start on it (and recover it) during the read. Creates and changes nothing but the lock
   * file. Blocking.
   *
   * @throws SpoolLockedException when a server runs on the directory
   * @throws NoSuchFileException when there is no spool there
   */
  public static <T> T inspect(Path dir, Reader<T> reader) throws IOException {
    Path abs = dir.toAbsolutePath().normalize();
    SpoolFolders folders = new SpoolFolders(abs);
    if (!Files.isDirectory(folders.incoming)) {
      throw new NoSuchFileException(abs.toString(), null, "no spool directory (no incoming/ in it)");
    }
    QueueInspector inspector = new QueueInspector(folders);
    try (SpoolLock lock = SpoolLock.acquire(abs)) {
      return reader.read(new Queue() {
        @Override
        public List<QueuedMessage> list(QueueFilter filter) throws IOException {
          return inspector.list(filter, Set.of());
        }

        @Override
        public MessageDetails show(String queueId) throws IOException {
          return inspector.show(checked(queueId), Set.of());
        }
      });
    }
  }

  private static String checked(String queueId) {
    if (!QueueIds.isAcceptable(queueId)) {
      throw new IllegalArgumentException("unacceptable queue id: " + queueId);
    }
    return queueId;
  }
}
