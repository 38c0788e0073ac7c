package io.postino.spool;

import io.postino.files.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All that opening a spool recovers, in one place (blocking, at start-up). First the journal: every
 * message of a segment that has no done record (in any segment) is made whole and durable where
 * the queue keeps it; a message with one left the queue, and a file of it still there (a removal
 * cut short: its content may never have been synced) is deleted. Then the segments are deleted; a
 * segment with damage in it (records skipped, valid ones after them) is moved to {@code corrupt/}
 * instead, as evidence. A segment whose last record was cut short is what a crash during an append
 * leaves: that record was never acknowledged. Then files in {@code tmp} (never acknowledged to a
 * client) are deleted, and status files whose message is gone.
 */
final class SpoolRecovery {

  private static final Logger log = LoggerFactory.getLogger(SpoolRecovery.class);

  private final SpoolFolders folders;

  private SpoolRecovery(SpoolFolders folders) {
    this.folders = folders;
  }

  /**
   * Recovers the spool in {@code folders} (creating what is missing) and opens its journal, which
   * retires a segment past {@code segmentOctets} or {@code segmentMillis}.
   */
  static SpoolJournal recover(SpoolFolders folders, long segmentOctets, long segmentMillis) throws IOException {
    folders.create();
    SpoolRecovery recovery = new SpoolRecovery(folders);
    // the journal first: it may bring back messages, and with them their status files
    long last = recovery.replay(folders.journal, folders.corrupt);
    recovery.clean();
    return new SpoolJournal(folders.journal, folders, last + 1, segmentOctets, segmentMillis);
  }

  /** {@link #recover(SpoolFolders, long, long)} of the spool in {@code root}, with the usual segment limits. */
  static SpoolJournal recover(Path root) throws IOException {
    return recover(new SpoolFolders(root), SpoolJournal.SEGMENT_OCTETS, SpoolJournal.SEGMENT_MILLIS);
  }

  /** Replays and removes the segments in {@code dir}; returns the highest segment number found. */
  private long replay(Path dir, Path corrupt) throws IOException {
    List<Path> segments = segments(dir);
    // a message's done record may be in a later segment than the message
    Set<String> done = new HashSet<>();
    List<JournalFormat.Outcome> outcomes = new ArrayList<>();
    for (Path segment : segments) {
      outcomes.add(JournalFormat.read(segment, new JournalFormat.Visitor() {
        @Override
        public void message(String queueId, ByteBuffer file) {
        }

        @Override
        public void done(String queueId) {
          done.add(queueId);
        }
      }));
    }
    completeRemovals(done);
    long last = 0;
    boolean moved = false;
    for (int i = 0; i < segments.size(); i++) {
      Path segment = segments.get(i);
      int restored = SpoolJournal.restoreAll(segment, id -> !done.contains(id), folders);
      if (restored > 0) {
        log.warn("spool journal: rewrote {} message file(s) from {}", restored, segment);
      }
      last = Math.max(last, number(segment));
      JournalFormat.Outcome outcome = outcomes.get(i);
      outcome.damaged().forEach(s -> log.error("spool journal: {}: octets {} to {} are damaged and were skipped; "
          + "records after them were replayed", segment, s.from(), s.to()));
      boolean lastSegment = i == segments.size() - 1;
      if (outcome.tail() != null) {
        // only the newest segment is appended to: a tail anywhere else is damage
        log.warn("spool journal: {}: octets {} to {} hold no whole record{}", segment, outcome.tail().from(),
            outcome.tail().to(), lastSegment ? " (an append cut short: never acknowledged)" : "");
      }
      if (outcome.isDamaged() || outcome.tail() != null && !lastSegment) {
        Path evidence = corrupt.resolve("journal-" + segment.getFileName());
        Files.move(segment, evidence, StandardCopyOption.REPLACE_EXISTING);
        log.error("spool journal: damaged segment {} moved to {}", segment, evidence);
        moved = true;
      } else {
        Files.delete(segment);
      }
    }
    if (moved) {
      DurableFiles.fsyncDirectory(corrupt);
    }
    DurableFiles.fsyncDirectory(dir);
    return last;
  }

  /** Deletes what is left of messages that have a done record: they left the queue. */
  private void completeRemovals(Set<String> done) throws IOException {
    int removed = 0;
    for (String id : done) {
      for (Path file : folders.messageFiles(id)) {
        // java.io.File asks without an exception: almost every file is gone, as it should be
        if (file.toFile().exists()) {
          Files.deleteIfExists(file);
          removed++;
        }
      }
    }
    if (removed > 0) {
      folders.syncFolders();
      log.info("spool journal: deleted {} message file(s) whose removal a crash cut short", removed);
    }
  }

  /** Start-up: deletes unacknowledged files and orphaned status files. */
  private void clean() throws IOException {
    for (Path file : SpoolFolders.list(folders.tmp)) {
      try {
        Files.delete(file);
        log.info("spool: deleted unacknowledged {}", file);
      } catch (IOException e) {
        log.warn("spool: cannot delete unacknowledged {}: {}", file, e.toString());
      }
    }
    for (Path file : SpoolFolders.list(folders.status)) {
      String name = file.getFileName().toString();
      if (!Files.exists(folders.incoming.resolve(name)) && !Files.exists(folders.hold.resolve(name))) {
        Files.deleteIfExists(file);
      }
    }
  }

  private static List<Path> segments(Path dir) throws IOException {
    List<Path> found = new ArrayList<>();
    for (Path p : SpoolFolders.list(dir)) {
      String name = p.getFileName().toString();
      if (name.length() == 16 && name.chars().allMatch(c -> c >= '0' && c <= '9')) {
        found.add(p);
      } else {
        log.warn("spool journal: ignoring unexpected file {}", p);
      }
    }
    found.sort(null);
    return found;
  }

  private static long number(Path segment) {
    return Long.parseLong(segment.getFileName().toString());
  }
}
