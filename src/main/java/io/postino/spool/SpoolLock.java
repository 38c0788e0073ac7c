package io.postino.spool;

import io.postino.files.DurableFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * The one-user-at-a-time lock of a spool directory: an exclusive {@link FileLock} on
 * {@code <spool>/lock}, taken before anything in the directory is touched. A server holds it for
 * its lifetime, since opening a spool recovers it (deletes {@code tmp}, rewrites journaled files)
 * and a second server on the same directory would destroy the first one's messages in flight;
 * the command line holds it while it reads a stopped server's spool, so that reading never races a
 * server that starts meanwhile.
 *
 * <p>The operating system releases the lock when the process dies, so a crash leaves no stale
 * lock behind (the file stays; it is its lock that counts, not its existence). Blocking.
 */
final class SpoolLock implements AutoCloseable {

  static final String FILE_NAME = "lock";

  private final FileChannel channel;
  private final FileLock lock;

  private SpoolLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Locks {@code root} (created when missing).
   *
   * @throws SpoolLockedException when another process, or another spool of this one, holds it
   */
  static SpoolLock acquire(Path root) throws IOException {
    DurableFiles.createDirectories(root);
    Path file = root.resolve(FILE_NAME);
    FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
        DurableFiles.OWNER_ONLY);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      // held by this very process: a second Spool.open of the directory in one JVM
      lock = null;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      throw new SpoolLockedException(root);
    }
    return new SpoolLock(channel, lock);
  }

  /**
   * Whether a running Postino (this process or another) holds {@code root}'s lock; false when there
   * is no spool there. Creates and writes nothing. Blocks.
   */
  static boolean isHeld(Path root) throws IOException {
    Path file = root.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      return false;
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        return true;
      }
      lock.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true;
    }
  }

  /** Releases the lock; once is enough, again does nothing. */
  @Override
  public void close() throws IOException {
    if (!channel.isOpen()) {
      return;
    }
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
