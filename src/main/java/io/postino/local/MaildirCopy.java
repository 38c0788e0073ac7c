package io.postino.local;

import io.postino.spool.SpooledMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The file work of one copy of a message for one mailbox, done by a batch of
 * {@link MaildirCommitter}: {@link #write} puts the headers and the content into {@code tmp/} and
 * fdatasyncs them, {@link #publish} renames the file into {@code new/}; the batch then fsyncs
 * {@code new/} once for all its copies there. A copy whose file {@code new/} already has (an
 * earlier attempt made it) writes nothing. Blocking: worker threads only.
 *
 * <p>Used by one thread at a time (the batch hands it from one worker task to the next).
 */
final class MaildirCopy {

  private final SpooledMessage message;
  private final Path dir;
  private final boolean folder;
  private final String name;
  private final byte[] headers;
  private final Set<PosixFilePermission> fileMode;
  /** Written and not yet renamed into new/ (or deleted). */
  private Path tmpFile;

  /**
   * @param dir the mailbox (or Maildir++ folder) directory
   * @param folder whether {@code dir} is a Maildir++ folder
   * @param name the file's name in {@code new/}, the same at every attempt
   * @param headers the lines that go before the content
   */
  MaildirCopy(SpooledMessage message, Path dir, boolean folder, String name, byte[] headers,
      Set<PosixFilePermission> fileMode) {
    this.message = message;
    this.dir = dir;
    this.folder = folder;
    this.name = name;
    this.headers = headers;
    this.fileMode = fileMode;
  }

  Path directory() {
    return dir;
  }

  Path newDirectory() {
    return dir.resolve("new");
  }

  Path target() {
    return newDirectory().resolve(name);
  }

  /**
   * Writes and fdatasyncs the copy in {@code tmp/}, unless {@code new/} has it already; a mailbox
   * found without its {@code tmp/} (removed by an operator) is made again once. On failure no
   * temporary file is left: on a full disk a partial copy would keep the space the retry needs.
   */
  void write(MailboxDirectories directories) throws IOException {
    if (Files.exists(target())) {
      return;
    }
    directories.ensure(dir, folder);
    // a name of its own per attempt, so that two attempts never write one file (not a secret:
    // a SecureRandom would cost a read of /dev/urandom per copy)
    Path tmp = dir.resolve("tmp").resolve(name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    FileChannel out;
    try {
      out = create(tmp);
    } catch (NoSuchFileException e) {
      directories.forget(dir);
      directories.ensure(dir, folder);
      out = create(tmp);
    }
    tmpFile = tmp;
    try (FileChannel o = out) {
      // created with the mode, so never more open than asked; set again for what the umask took
      Files.setPosixFilePermissions(tmp, fileMode);
      ByteBuffer content = message.content();
      // a message kept in memory by the spool (most of them) is written from there, with the headers
      ByteBuffer[] parts = content == null ? new ByteBuffer[] {ByteBuffer.wrap(headers)}
          : new ByteBuffer[] {ByteBuffer.wrap(headers), content};
      long left = headers.length + (content == null ? 0 : content.remaining());
      while (left > 0) {
        left -= o.write(parts);
      }
      if (content == null) {
        copyFromSpool(o);
      }
      o.force(false);
    } catch (IOException | RuntimeException e) {
      discard(e);
      throw e;
    }
  }

  private void copyFromSpool(FileChannel o) throws IOException {
    try (FileChannel in = FileChannel.open(message.file(), StandardOpenOption.READ)) {
      long position = message.contentOffset();
      long end = position + message.contentLength();
      while (position < end) {
        long copied = in.transferTo(position, end - position, o);
        if (copied <= 0) {
          throw new IOException("spool file " + message.file() + " ends at " + in.size()
              + ", before the end of its content at " + end);
        }
        position += copied;
      }
    }
  }

  private FileChannel create(Path tmp) throws IOException {
    return FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
        PosixFilePermissions.asFileAttribute(fileMode));
  }

  /**
   * Renames the synced copy into {@code new/}, where nothing of its name was found before
   * {@link #write} (and attempts of one copy never overlap, see {@link MaildirDelivery}).
   */
  void publish(MailboxDirectories directories) throws IOException {
    Path tmp = tmpFile;
    if (tmp == null) {
      return;
    }
    try {
      try {
        Files.move(tmp, target(), StandardCopyOption.ATOMIC_MOVE);
      } catch (NoSuchFileException e) {
        // new/ removed since the write: made again once (a copy whose tmp/ went too is not retried)
        directories.forget(dir);
        directories.ensure(dir, folder);
        Files.move(tmp, target(), StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException | RuntimeException e) {
      discard(e);
      throw e;
    }
    tmpFile = null;
  }

  /** Deletes the temporary file, if any, recording a failure to do so on {@code cause}. */
  void discard(Exception cause) {
    Path tmp = tmpFile;
    tmpFile = null;
    if (tmp == null) {
      return;
    }
    try {
      Files.deleteIfExists(tmp);
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
    }
  }
}
