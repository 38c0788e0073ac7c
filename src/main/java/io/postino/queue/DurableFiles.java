package io.postino.queue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The blocking fsync primitives that the spool and Maildir delivery build their durability on.
 * Every method blocks: call them only from worker threads, never from an event loop.
 *
 * <p>A rename or a new directory entry survives a power loss only once the directory holding it
 * is fsync'd; Vert.x has no call for that, hence these helpers.
 */
public final class DurableFiles {

  private DurableFiles() {
  }

  /** fdatasync: the file's content (and the size needed to read it back) reach the disk. */
  public static void fdatasync(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(false);
    }
  }

  /** fsync of a directory: the entries added, renamed or removed in it reach the disk. */
  public static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /**
   * Creates a directory and its missing parents, fsyncing each parent that gains an entry, so a
   * file later made durable inside it is not lost with a directory that was never synced.
   */
  public static void createDirectories(Path dir) throws IOException {
    Path abs = dir.toAbsolutePath().normalize();
    if (Files.isDirectory(abs)) {
      return;
    }
    Path parent = abs.getParent();
    if (parent != null) {
      createDirectories(parent);
    }
    try {
      Files.createDirectory(abs);
    } catch (FileAlreadyExistsException e) {
      // Another thread won the race; its parent fsync may not have happened yet, so ours still runs.
      if (!Files.isDirectory(abs)) {
        throw e;
      }
    }
    if (parent != null) {
      fsyncDirectory(parent);
    }
  }
}
