package io.postino.spool;

import io.postino.files.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A message's status file ({@code <spool>/status/<queue id>}): lines appended as its recipients
 * are dealt with (see {@link MessageStatus}), read back whole when the message is loaded again.
 * Blocking: worker threads only.
 */
final class StatusFiles {

  private StatusFiles() {
  }

  /** The complete lines of a status file (none when there is none). */
  static List<String> lines(Path file) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return List.of();
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    // a last line without its newline was being written when the process died
    int end = text.lastIndexOf('\n');
    return end < 0 ? List.of() : Arrays.asList(text.substring(0, end).split("\n"));
  }

  /**
   * Appends to a status file; with {@code sync} the lines are on disk when this returns
   * (fdatasync, and the directory fsync'd when the file is new). A file that ends in a line torn
   * by a crash first gets the line feed it lacks: the torn line stays unreadable on its own, and
   * the new lines, which the queue acts on, stay whole.
   */
  static void append(Path file, byte[] bytes, boolean sync) throws IOException {
    boolean created = !Files.exists(file);
    // not APPEND: the last octet is read first (READ and APPEND do not go together)
    try (FileChannel ch = created
        ? FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), DurableFiles.OWNER_ONLY)
        : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long end = ch.size();
      if (end > 0 && lastOctet(ch, end) != '\n') {
        end += writeAt(ch, ByteBuffer.wrap(new byte[] {'\n'}), end);
      }
      writeAt(ch, ByteBuffer.wrap(bytes), end);
      if (sync) {
        ch.force(false);
      }
    }
    if (sync && created) {
      DurableFiles.fsyncDirectory(file.getParent());
    }
  }

  private static byte lastOctet(FileChannel ch, long size) throws IOException {
    ByteBuffer one = ByteBuffer.allocate(1);
    if (ch.read(one, size - 1) != 1) {
      throw new IOException("status file shrank while being appended to");
    }
    return one.get(0);
  }

  private static int writeAt(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    int written = 0;
    while (buf.hasRemaining()) {
      written += ch.write(buf, position + written);
    }
    return written;
  }
}
