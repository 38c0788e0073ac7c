package io.postino.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The blocking fsync primitives that the spool, Maildir delivery and the files an operator edits
 * build their durability on.
 * Every method blocks: call them only from worker threads, never from an event loop.
 *
 * <p>A rename or a new directory entry survives a power loss only once the directory holding it
 * is fsync'd; Vert.x has no call for that, hence these helpers.
 */
public final class DurableFiles {

  /** Spool files hold other people's mail: readable and writable by their owner only. */
  public static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  private DurableFiles() {
  }

  /**
   * Writes {@code content} as a new file ({@code replace}: or over an existing one), readable by
   * its owner only, fdatasync'd before it is closed when {@code sync}. The buffers' positions are
   * left as they were.
   */
  public static void write(Path file, boolean replace, boolean sync, ByteBuffer... content) throws IOException {
    write(file, replace, sync, new FileAttribute<?>[] {OWNER_ONLY}, content);
  }

  private static void write(Path file, boolean replace, boolean sync, FileAttribute<?>[] attributes,
      ByteBuffer... content) throws IOException {
    ByteBuffer[] parts = new ByteBuffer[content.length];
    long left = 0;
    for (int i = 0; i < parts.length; i++) {
      parts[i] = content[i].duplicate();
      left += parts[i].remaining();
    }
    Set<StandardOpenOption> options = replace
        ? Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)
        : Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    try (FileChannel ch = FileChannel.open(file, options, attributes)) {
      while (left > 0) {
        left -= ch.write(parts);
      }
      if (sync) {
        ch.force(false);
      }
    }
  }

  /**
   * The one temp-file-and-rename: writes {@code content} to {@code temporary} (a file in the
   * directory of {@code target}; with {@code overwrite} a leftover of that name is replaced, else
   * it must not exist), fdatasyncs it, and renames it over {@code target}, so that a reader sees the
   * old file or the new one, never half of one, and a crash leaves the old file rather than an empty
   * one. The temporary file is gone when this returns, whatever happened. The directory is not
   * fsync'd: a caller whose rename must survive a power loss does that (once for many renames).
   *
   * @param ownerOnly whether the file is created with mode 0600 (where the file system has POSIX
   *     permissions), so that a secret is never readable by others, not even for a moment
   * @throws FileAlreadyExistsException when {@code temporary} exists and not {@code overwrite};
   *     nothing was written then
   */
  public static void replace(Path temporary, Path target, boolean overwrite, boolean ownerOnly, ByteBuffer... content)
      throws IOException {
    boolean posix = temporary.getFileSystem().supportedFileAttributeViews().contains("posix");
    FileAttribute<?>[] attributes = ownerOnly && posix ? new FileAttribute<?>[] {OWNER_ONLY} : new FileAttribute<?>[0];
    try {
      write(temporary, overwrite, true, attributes, content);
    } catch (FileAlreadyExistsException e) {
      // someone else's file: not ours to delete
      throw e;
    } catch (IOException | RuntimeException e) {
      deleteQuietly(temporary, e);
      throw e;
    }
    try {
      try {
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException | RuntimeException e) {
      deleteQuietly(temporary, e);
      throw e;
    }
  }

  private static void deleteQuietly(Path file, Exception cause) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
    }
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
    createDirectories(dir, null);
  }

  /**
   * As {@link #createDirectories(Path)}, and each directory created gets exactly {@code mode}
   * (null: whatever mkdir and the umask give): created with it, so never more open than asked,
   * then set again for the bits the umask took away.
   */
  public static void createDirectories(Path dir, Set<PosixFilePermission> mode) throws IOException {
    Path abs = dir.toAbsolutePath().normalize();
    if (Files.isDirectory(abs)) {
      return;
    }
    Path parent = abs.getParent();
    if (parent != null) {
      createDirectories(parent, mode);
    }
    try {
      if (mode == null) {
        Files.createDirectory(abs);
      } else {
        Files.createDirectory(abs, PosixFilePermissions.asFileAttribute(mode));
        Files.setPosixFilePermissions(abs, mode);
      }
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
