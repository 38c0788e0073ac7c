package io.postino.spool;

import io.postino.files.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reading spool files back (blocking: runs on workers). A message file is read (header and envelope
 * only) when the queue takes it in; one that cannot be read is moved to {@code corrupt} with a log
 * line, so a single bad file never stops the server. Nothing reads every message at start-up: a
 * spool of a million messages costs a directory listing, not a million envelopes in memory.
 *
 * <p>SECURITY: a message's file name must equal its envelope's queue id, so the id that later
 * names Maildir files, status files and log lines is one the spool itself validated.
 */
final class SpoolReader {

  private static final Logger log = LoggerFactory.getLogger(SpoolReader.class);

  private final Path incoming;
  private final Path corrupt;
  private final Path status;
  private final ResidentMessages residents;

  SpoolReader(SpoolFolders folders) {
    this.incoming = folders.incoming;
    this.corrupt = folders.corrupt;
    this.status = folders.status;
    this.residents = folders.residents;
  }

  /**
   * Reads a message of the queue: a resident one from memory, without I/O, others from their file
   * in {@code incoming}. Fails with {@link NoSuchFileException} when it is not there, and with a
   * {@link CorruptSpoolFileException} after moving a corrupt file to {@code corrupt}.
   */
  SpooledMessage read(String queueId) throws IOException {
    Path file = incoming.resolve(queueId);
    try {
      Supplier<ByteBuffer> kept = residents.get(queueId);
      ByteBuffer whole = kept == null ? null : kept.get();
      return whole != null ? read(file, whole, kept) : read(file);
    } catch (SpoolFileFormat.CorruptException e) {
      throw new CorruptSpoolFileException(queueId, e.getMessage());
    }
  }

  /** Reads a message file; a corrupt one is quarantined and reported as such. */
  SpooledMessage read(Path file) throws IOException, SpoolFileFormat.CorruptException {
    try {
      return readFile(file);
    } catch (SpoolFileFormat.CorruptException e) {
      quarantine(file, e.getMessage());
      throw e;
    }
  }

  /** A resident message, from its whole file in memory: {@code file} is where its file would be. */
  private static SpooledMessage read(Path file, ByteBuffer whole, Supplier<ByteBuffer> kept)
      throws SpoolFileFormat.CorruptException {
    SpoolFileFormat.Header header = SpoolFileFormat.read(whole);
    checkName(file, header);
    return new SpooledMessage(header.envelope(), file, header.contentOffset(),
        whole.remaining() - header.contentOffset()).inMemory(kept);
  }

  private static void checkName(Path file, SpoolFileFormat.Header header) throws SpoolFileFormat.CorruptException {
    if (!file.getFileName().toString().equals(header.envelope().queueId())) {
      throw new SpoolFileFormat.CorruptException("file name does not match queue id " + header.envelope().queueId());
    }
  }

  private static SpooledMessage readFile(Path file) throws IOException, SpoolFileFormat.CorruptException {
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new NoSuchFileException(file.toString());
      }
      throw new SpoolFileFormat.CorruptException("not a regular file");
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      SpoolFileFormat.Header header;
      try {
        header = SpoolFileFormat.read(ch);
      } catch (IOException e) {
        // a file shorter than its own header: written whole by the spool, so it was damaged since
        throw new SpoolFileFormat.CorruptException(e.getMessage());
      }
      checkName(file, header);
      return new SpooledMessage(header.envelope(), file, header.contentOffset(),
          ch.size() - header.contentOffset());
    }
  }

  private void quarantine(Path file, String reason) {
    Path target = corrupt.resolve(file.getFileName());
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      target = corrupt.resolve(file.getFileName() + "." + System.currentTimeMillis());
    }
    try {
      Files.move(file, target);
      DurableFiles.fsyncDirectory(corrupt);
      // its status file would otherwise stay behind as an orphan
      Files.deleteIfExists(status.resolve(file.getFileName()));
      log.error("spool: corrupt file {} moved to {}: {}", file, target, reason);
    } catch (IOException e) {
      log.error("spool: corrupt file {} ({}) left in place, cannot move it: {}", file, reason,
          e.toString());
    }
  }
}
