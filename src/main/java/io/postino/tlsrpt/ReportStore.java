package io.postino.tlsrpt;

import io.postino.files.AtomicFiles;
import io.postino.files.DurableFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files that keep a node's TLS report counts across restarts: one per UTC day,
 * {@code <yyyy-mm-dd>.json}, replaced whole (written, fsync'd, renamed, the directory fsync'd).
 *
 * <p>Delivery nodes of a cluster may share the spool directory, and with it the default place of
 * these files: each node takes the first numbered slot ({@code 0}, {@code 1}, ...) under the
 * directory whose lock file no other process holds, and keeps the lock while it runs. A node that
 * starts after another stopped takes over its slot, and with it the days that node had not
 * reported yet. Blocking: called on workers only.
 */
final class ReportStore implements AutoCloseable {

  static final int SLOTS = 64;
  private static final String SUFFIX = ".json";

  private final Path dir;
  private final FileChannel lockFile;
  private final FileLock lock;

  private ReportStore(Path dir, FileChannel lockFile, FileLock lock) {
    this.dir = dir;
    this.lockFile = lockFile;
    this.lock = lock;
  }

  static ReportStore open(Path root) throws IOException {
    for (int i = 0; i < SLOTS; i++) {
      Path slot = root.resolve(Integer.toString(i));
      DurableFiles.createDirectories(slot);
      FileChannel channel = FileChannel.open(slot.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = null;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        // held by another node in this JVM
      }
      if (lock != null) {
        return new ReportStore(slot, channel, lock);
      }
      channel.close();
    }
    throw new IOException("the " + SLOTS + " slots of " + root + " are all held by other nodes");
  }

  Path directory() {
    return dir;
  }

  /** The days kept, each as written; a file that cannot be read is skipped with the reason. */
  List<byte[]> load(List<String> unreadable) throws IOException {
    List<byte[]> days = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList()) {
        try {
          days.add(Files.readAllBytes(f));
        } catch (IOException e) {
          unreadable.add(f + ": " + e.getMessage());
        }
      }
    }
    return days;
  }

  void save(LocalDate day, byte[] json) throws IOException {
    AtomicFiles.write(file(day), json, true);
  }

  void delete(LocalDate day) throws IOException {
    Files.deleteIfExists(file(day));
  }

  /** The renames and deletions so far reach the disk. */
  void sync() throws IOException {
    DurableFiles.fsyncDirectory(dir);
  }

  Path file(LocalDate day) {
    return dir.resolve(day + SUFFIX);
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      lockFile.close();
    }
  }
}
