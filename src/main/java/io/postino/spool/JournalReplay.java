package io.postino.spool;

import io.postino.files.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opening the journal: what a previous run left is replayed. Every message of a segment that has
 * no done record (in any segment) is made whole and durable where the queue keeps it; a message
 * with one left the queue, and a file of it still there (a removal cut short: its content may
 * never have been synced) is deleted. Then the segments are deleted; a segment with damage in it (records skipped, valid ones after them) is
 * moved to {@code corrupt/} instead, as evidence. A segment whose last record was cut short is
 * what a crash during an append leaves: that record was never acknowledged.
 *
 * <p>Blocking (worker threads, or start-up).
 */
final class JournalReplay {

  private static final Logger log = LoggerFactory.getLogger(JournalReplay.class);

  private final Path tmp;
  private final Path incoming;
  private final Path hold;

  JournalReplay(Path tmp, Path incoming, Path hold) {
    this.tmp = tmp;
    this.incoming = incoming;
    this.hold = hold;
  }

  /** Replays and removes the segments in {@code dir}; returns the highest segment number found. */
  long replay(Path dir, Path corrupt) throws IOException {
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
      int restored = restoreAll(segment, id -> !done.contains(id));
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
      for (Path file : List.of(incoming.resolve(id), hold.resolve(id))) {
        // java.io.File asks without an exception: almost every file is gone, as it should be
        if (file.toFile().exists()) {
          Files.deleteIfExists(file);
          removed++;
        }
      }
    }
    if (removed > 0) {
      DurableFiles.fsyncDirectory(incoming);
      DurableFiles.fsyncDirectory(hold);
      log.info("spool journal: deleted {} message file(s) whose removal a crash cut short", removed);
    }
  }

  /** What {@link #restoreAll} restores. */
  interface Wanted {
    boolean test(String queueId);
  }

  /**
   * Restores the segment's messages that are {@code wanted} (see {@link #restore}), making the
   * directories durable; returns how many files were rewritten.
   */
  int restoreAll(Path segment, Wanted wanted) throws IOException {
    int[] restored = {0};
    JournalFormat.read(segment, new JournalFormat.Visitor() {
      @Override
      public void message(String queueId, ByteBuffer file) throws IOException {
        if (wanted.test(queueId) && restore(queueId, file)) {
          restored[0]++;
        }
      }

      @Override
      public void done(String queueId) {
      }
    });
    DurableFiles.fsyncDirectory(incoming);
    DurableFiles.fsyncDirectory(hold);
    return restored[0];
  }

  /**
   * Syncs a message's file where it is, or rewrites it from the journal when it is missing or not
   * whole; true when it was rewritten.
   */
  private boolean restore(String id, ByteBuffer content) throws IOException {
    for (Path file : List.of(incoming.resolve(id), hold.resolve(id))) {
      byte[] existing;
      try {
        existing = Files.readAllBytes(file);
      } catch (NoSuchFileException e) {
        continue;
      }
      if (ByteBuffer.wrap(existing).equals(content)) {
        DurableFiles.fdatasync(file);
        return false;
      }
      rewrite(id, content, file);
      return true;
    }
    // No file at all: either it was never written into incoming, the case that matters, or it
    // was removed and its done record died with the process: then it is delivered a second time.
    rewrite(id, content, incoming.resolve(id));
    return true;
  }

  private void rewrite(String id, ByteBuffer content, Path target) throws IOException {
    // in tmp: a rewrite cut short leaves a file that the next start deletes
    DurableFiles.replace(tmp.resolve(id), target, true, true, content);
  }

  static List<Path> segments(Path dir) throws IOException {
    List<Path> found = new ArrayList<>();
    for (Path p : SpoolRecovery.list(dir)) {
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

  static long number(Path segment) {
    return Long.parseLong(segment.getFileName().toString());
  }
}
