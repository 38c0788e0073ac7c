package io.postino.spool;

import io.postino.files.DurableFiles;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
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
 * leaves: that record was never acknowledged. Then status files whose message is gone are deleted.
 *
 * <p>In two steps, so that a server listens at once however much the journal holds (up to a
 * segment's 64 MiB of small messages, each of whose files is read back and fdatasync'd): {@link
 * #begin} is quick (folders, files in {@code tmp}, never acknowledged to a client, deleted; the
 * journal opened after the segments found) and new messages may be written as soon as it returns;
 * {@link #finish} replays those segments and cleans the status files, and the queue lists the
 * spool only once it is done. New messages touch neither: they have new queue ids and go to new
 * segments.
 */
final class SpoolRecovery {

  private static final Logger log = LoggerFactory.getLogger(SpoolRecovery.class);

  private final SpoolFolders folders;
  private final List<Path> segments;
  private final SpoolJournal journal;

  private SpoolRecovery(SpoolFolders folders, List<Path> segments, SpoolJournal journal) {
    this.folders = folders;
    this.segments = segments;
    this.journal = journal;
  }

  /**
   * Recovers the spool in {@code folders} (creating what is missing) and opens its journal, which
   * retires a segment past {@code segmentOctets} or {@code segmentMillis}.
   */
  static SpoolJournal recover(SpoolFolders folders, long segmentOctets, long segmentMillis) throws IOException {
    SpoolRecovery recovery = begin(folders, segmentOctets, segmentMillis);
    recovery.finish();
    return recovery.journal();
  }

  /**
   * The quick part of a recovery: creates what is missing, deletes what is in {@code tmp} and opens
   * the journal after the segments a previous run left, which {@link #finish} replays.
   */
  static SpoolRecovery begin(SpoolFolders folders, long segmentOctets, long segmentMillis) throws IOException {
    folders.create();
    // before any new message is written there: every file in tmp now was never acknowledged
    cleanTmp(folders.tmp);
    List<Path> found = segments(folders.journal);
    long last = found.isEmpty() ? 0 : number(found.get(found.size() - 1));
    return new SpoolRecovery(folders, found,
        new SpoolJournal(folders.journal, folders, last + 1, segmentOctets, segmentMillis));
  }

  /** The journal, open for new messages since {@link #begin}. */
  SpoolJournal journal() {
    return journal;
  }

  /**
   * {@link #finish()} on a worker once {@code after} completes, logged; the future fails when it
   * does (new mail is still taken, but what the previous run left waits for a restart).
   */
  Future<Void> finish(Vertx vertx, Future<?> after) {
    Path root = folders.root;
    Future<Void> finished = after.transform(ar -> vertx.executeBlocking(() -> {
      long start = System.nanoTime();
      finish();
      if (!segments.isEmpty()) {
        log.info("spool {}: recovered {} journal segment(s) of the previous run in {} ms", root, segments.size(),
            (System.nanoTime() - start) / 1_000_000);
      }
      return null;
    }, false));
    return finished.onFailure(e -> log.error("spool {}: recovery failed ({}); new mail is taken, but what the "
        + "previous run left is not delivered until a restart recovers it", root, e.toString()));
  }

  /** Replays the segments a previous run left, then deletes the status files of messages that are gone. */
  void finish() throws IOException {
    // the journal first: it may bring back messages, and with them their status files
    replay(segments, folders.corrupt);
    cleanStatus();
  }

  /** {@link #recover(SpoolFolders, long, long)} of the spool in {@code root}, with the usual segment limits. */
  static SpoolJournal recover(Path root) throws IOException {
    return recover(new SpoolFolders(root), SpoolJournal.SEGMENT_OCTETS, SpoolJournal.SEGMENT_MILLIS);
  }

  /** Replays and removes {@code segments}. */
  private void replay(List<Path> segments, Path corrupt) throws IOException {
    if (segments.isEmpty()) {
      return;
    }
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
    boolean moved = false;
    for (int i = 0; i < segments.size(); i++) {
      Path segment = segments.get(i);
      int restored = SpoolJournal.restoreAll(segment, id -> !done.contains(id), folders);
      if (restored > 0) {
        log.warn("spool journal: rewrote {} message file(s) from {}", restored, segment);
      }
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
    DurableFiles.fsyncDirectory(folders.journal);
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

  /** Start-up: deletes unacknowledged files. */
  private static void cleanTmp(Path tmp) throws IOException {
    for (Path file : SpoolFolders.list(tmp)) {
      try {
        Files.delete(file);
        log.info("spool: deleted unacknowledged {}", file);
      } catch (IOException e) {
        log.warn("spool: cannot delete unacknowledged {}: {}", file, e.toString());
      }
    }
  }

  /**
   * Start-up: deletes orphaned status files. New messages are taken meanwhile, and a resident one
   * (looked at first: it may get its file meanwhile) has no file yet, but is not gone.
   */
  private void cleanStatus() throws IOException {
    for (Path file : SpoolFolders.list(folders.status)) {
      String name = file.getFileName().toString();
      if (!folders.residents.contains(name)
          && !Files.exists(folders.incoming.resolve(name)) && !Files.exists(folders.hold.resolve(name))) {
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
