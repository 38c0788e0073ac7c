package io.postino.spool;

import io.postino.files.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Puts octets in front of the content of a spool file that is already written (the streamed
 * message of a {@link LeadingHeaders}): a copy with the file's header sealed anew, the prefix, then
 * the content read through in blocks (never whole in memory), renamed over the original. Not
 * synced: the commit that follows syncs it. Blocking: on a worker.
 */
final class PrefixedFile {

  private static final int BLOCK = 64 * 1024;

  private PrefixedFile() {
  }

  /**
   * @param header        the file's header as {@link SpoolFileFormat#header} made it; sealed here
   * @param contentOffset where the content starts in {@code file}
   */
  static void prepend(Path file, byte[] header, long contentOffset, ByteBuffer prefix) throws IOException {
    Path copy = file.resolveSibling(file.getFileName() + ".prefixed");
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
        FileChannel out = FileChannel.open(copy, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            DurableFiles.OWNER_ONLY)) {
      CRC32C crc = new CRC32C();
      crc.update(prefix.duplicate());
      long length = prefix.remaining() + in.size() - contentOffset;
      writeFully(out, prefix.duplicate(), header.length);
      ByteBuffer block = ByteBuffer.allocateDirect(BLOCK);
      long from = contentOffset;
      long to = header.length + (long) prefix.remaining();
      for (int n = in.read(block, from); n > 0; n = in.read(block, from)) {
        block.flip();
        crc.update(block.duplicate());
        to += writeFully(out, block, to);
        block.clear();
        from += n;
      }
      SpoolFileFormat.seal(header, length, crc.getValue());
      writeFully(out, ByteBuffer.wrap(header), 0);
    } catch (IOException e) {
      Files.deleteIfExists(copy);
      throw e;
    }
    Files.move(copy, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static int writeFully(FileChannel out, ByteBuffer b, long position) throws IOException {
    int n = b.remaining();
    for (long at = position; b.hasRemaining(); ) {
      at += out.write(b, at);
    }
    return n;
  }
}
