package io.postino.queue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up recovery of a spool directory (blocking: runs on a worker). Files in {@code tmp} were
 * never acknowledged to a client and are deleted. Each file in {@code incoming} is read back
 * (header and envelope only); one that cannot be read is moved to {@code corrupt} with a log line,
 * so a single bad file never stops the server from starting.
 *
 * <p>SECURITY: a recovered message's file name must equal its envelope's queue id, so the id
 * that later names Maildir files and log lines is one the spool itself validated.
 */
final class SpoolRecovery {

  private static final Logger log = LoggerFactory.getLogger(SpoolRecovery.class);

  private static final Comparator<SpooledMessage> OLDEST_FIRST =
      Comparator.comparing((SpooledMessage m) -> m.envelope().received())
          .thenComparing(SpooledMessage::queueId);

  private final Path tmp;
  private final Path incoming;
  private final Path corrupt;

  SpoolRecovery(Path tmp, Path incoming, Path corrupt) {
    this.tmp = tmp;
    this.incoming = incoming;
    this.corrupt = corrupt;
  }

  /** Cleans {@code tmp}, quarantines bad files and returns the good ones, oldest first. */
  List<SpooledMessage> run() throws IOException {
    deleteUnacknowledged();
    List<SpooledMessage> messages = new ArrayList<>();
    int quarantined = 0;
    for (Path file : list(incoming)) {
      try {
        messages.add(read(file));
      } catch (SpoolFileFormat.CorruptException | IOException e) {
        quarantine(file, e.getMessage());
        quarantined++;
      }
    }
    if (quarantined > 0) {
      DurableFiles.fsyncDirectory(corrupt);
      DurableFiles.fsyncDirectory(incoming);
    }
    messages.sort(OLDEST_FIRST);
    log.info("spool {}: {} message(s) recovered, {} moved to {}", incoming.getParent(),
        messages.size(), quarantined, corrupt);
    return List.copyOf(messages);
  }

  private void deleteUnacknowledged() throws IOException {
    for (Path file : list(tmp)) {
      try {
        Files.delete(file);
        log.info("spool: deleted unacknowledged {}", file);
      } catch (IOException e) {
        log.warn("spool: cannot delete unacknowledged {}: {}", file, e.toString());
      }
    }
  }

  private static SpooledMessage read(Path file) throws IOException, SpoolFileFormat.CorruptException {
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new SpoolFileFormat.CorruptException("not a regular file");
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      SpoolFileFormat.Header header = SpoolFileFormat.read(ch);
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
      log.error("spool: corrupt file {} moved to {}: {}", file, target, reason);
    } catch (IOException e) {
      log.error("spool: corrupt file {} ({}) left in place, cannot move it: {}", file, reason,
          e.toString());
    }
  }

  private static List<Path> list(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      entries.forEach(files::add);
    }
    return files;
  }
}
