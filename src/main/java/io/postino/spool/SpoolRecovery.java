package io.postino.spool;

import io.postino.files.DurableFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reading spool files back (blocking: runs on workers). At start-up, files in {@code tmp} were
 * never acknowledged to a client and are deleted, and status files whose message is gone are
 * deleted. A message file is read (header and envelope only) when the queue takes it in; one
 * that cannot be read is moved to {@code corrupt} with a log line, so a single bad file never
 * stops the server. Nothing here reads every message at start-up: a spool of a million messages
 * costs a directory listing, not a million envelopes in memory.
 *
 * <p>SECURITY: a message's file name must equal its envelope's queue id, so the id that later
 * names Maildir files, status files and log lines is one the spool itself validated.
 */
final class SpoolRecovery {

  private static final Logger log = LoggerFactory.getLogger(SpoolRecovery.class);

  private final Path tmp;
  private final Path incoming;
  private final Path hold;
  private final Path corrupt;
  private final Path status;

  SpoolRecovery(Path tmp, Path incoming, Path hold, Path corrupt, Path status) {
    this.tmp = tmp;
    this.incoming = incoming;
    this.hold = hold;
    this.corrupt = corrupt;
    this.status = status;
  }

  /** Start-up: deletes unacknowledged files and orphaned status files. */
  void clean() throws IOException {
    for (Path file : list(tmp)) {
      try {
        Files.delete(file);
        log.info("spool: deleted unacknowledged {}", file);
      } catch (IOException e) {
        log.warn("spool: cannot delete unacknowledged {}: {}", file, e.toString());
      }
    }
    for (Path file : list(status)) {
      String name = file.getFileName().toString();
      if (!Files.exists(incoming.resolve(name)) && !Files.exists(hold.resolve(name))) {
        Files.deleteIfExists(file);
      }
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
      String name = file.getFileName().toString();
      if (!name.equals(header.envelope().queueId())) {
        throw new SpoolFileFormat.CorruptException(
            "file name does not match queue id " + header.envelope().queueId());
      }
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

  static List<Path> list(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      entries.forEach(files::add);
    }
    return files;
  }
}
