package io.postino.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Replaces small files whole (the users file, certificates): the content goes to a temporary file
 * in the same directory, which is then renamed over the target (see
 * {@link DurableFiles#replace}), so a reader (or the file watcher of a running server) sees the old
 * file or the new one, never half of it. Blocking.
 *
 * <p>SECURITY: with {@code ownerOnly} the temporary file is created with mode 0600 (where the file
 * system has POSIX permissions), so a secret is never readable by others, not even for a moment.
 * The temporary file is created exclusively, never through a link someone else left there.
 */
public final class AtomicFiles {

  private AtomicFiles() {
  }

  public static void write(Path target, byte[] content, boolean ownerOnly) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    String name = target.getFileName().toString();
    while (true) {
      Path tmp = dir.resolve("." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
      try {
        DurableFiles.replace(tmp, target, false, ownerOnly, ByteBuffer.wrap(content));
        return;
      } catch (FileAlreadyExistsException e) {
        // another writer's temporary file: pick another name
      }
    }
  }
}
