package io.postino.spool;

import io.postino.files.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool's write-ahead journal for small messages (and a larger one committed alone, see
 * {@link #MAX_MESSAGE_OCTETS}): append-only segment files under {@code <spool>/journal}, where a
 * group commit appends the whole spool file of every such message in its batch and makes them
 * all durable with a single fdatasync. Only then may the messages' own files be written into
 * {@code incoming}, without an fsync of their own, and most are not written at all: the spool
 * keeps them in memory until something needs the file ({@link ResidentMessages}). Until a
 * checkpoint syncs them, the journal is what survives a power loss, and opening the spool
 * rewrites from it any message file that did not (or never existed).
 *
 * <p>A segment is retired when it reaches {@link #SEGMENT_OCTETS} or is {@link #SEGMENT_MILLIS}
 * old (checked at each append), and then checkpointed once every batch appended to it has written
 * its files or kept them resident ({@link #published}): the files of its messages still in the
 * queue are fdatasync'd (a resident one's written first), and the segment is deleted. So a message delivered before its segment retires never costs an
 * fsync of its own file; one that waits longer pays it once.
 *
 * <p>A message leaves the journal only through a "done" record (delivered, bounced, refused or
 * deleted), synced when the removal must be durable: after a crash of the process it does not come
 * back; after a power loss an unsynced one may, as an unsynced deletion may anyway (delivery is at
 * least once). A message without one whose file a checkpoint cannot find is not taken for gone: it
 * is rewritten from the segment first, as a restart would.
 *
 * <p>The records are described in {@link JournalFormat}; {@link SpoolRecovery} replays them at
 * start-up. The messages' own files are {@link JournaledFiles}: the journal knows them by queue id,
 * not where they are.
 *
 * <p>Thread-safe; every method blocks (worker threads only).
 */
final class SpoolJournal {

  /** A log line names at most this many queue ids (a checkpoint may miss thousands of files). */
  private static final int MAX_IDS_LOGGED = 20;

  private static final Logger log = LoggerFactory.getLogger(SpoolJournal.class);

  /** A segment past this size is retired at the next append. */
  static final long SEGMENT_OCTETS = 64L << 20;

  /** A segment older than this is retired at the next append. */
  static final long SEGMENT_MILLIS = 30_000;

  /**
   * Messages whose content is larger than this are journaled only when they commit alone and the
   * resident messages have room (see {@link GroupCommitter#journalsAlone}); else they get their
   * own fdatasync: a checkpoint writes and syncs a journaled message still queued a second time.
   */
  static final int MAX_MESSAGE_OCTETS = 64 * 1024;

  /** The largest content a record may hold: that of a message committed alone. */
  static final int MAX_RECORDED_OCTETS = 128 * 1024;

  /** One message to journal: its queue id and its whole spool file. */
  record Entry(String queueId, ByteBuffer[] file) {
  }

  /**
   * A segment file, the journaled messages in it that are not done yet, and how many appended
   * batches are still writing their files (a checkpoint waits for them).
   */
  static final class Segment {
    final Path file;
    final long created;
    final byte[] seed;
    final Set<String> live = ConcurrentHashMap.newKeySet();
    /** Messages with a done record whose file may not be deleted yet (a removal under way). */
    final Set<String> removed = ConcurrentHashMap.newKeySet();
    // Guarded by the journal.
    private int writing;

    Segment(Path file, long created, byte[] seed) {
      this.file = file;
      this.created = created;
      this.seed = seed;
    }

    /**
     * A removed message's file is deleted: nothing of it is left for the checkpoint to sync (which
     * would otherwise look for the file of every message the segment ever had removed).
     */
    void fileGone(String queueId) {
      removed.remove(queueId);
    }
  }

  private final long segmentOctets;
  private final long segmentMillis;
  private final Path dir;
  private final JournaledFiles files;
  private final Map<String, Segment> segmentOf = new ConcurrentHashMap<>();

  private final Object checkpointLock = new Object();

  // Guarded by this.
  private final Deque<Segment> retired = new ArrayDeque<>();
  private long nextNumber;
  private Segment current;
  private FileChannel channel;
  private long size;

  /**
   * A journal in {@code dir} whose next segment is {@code nextNumber}: what a previous run left
   * there was replayed and removed by {@link SpoolRecovery}, which opens it.
   */
  SpoolJournal(Path dir, JournaledFiles files, long nextNumber, long segmentOctets, long segmentMillis) {
    this.segmentOctets = segmentOctets;
    this.segmentMillis = segmentMillis;
    this.dir = dir;
    this.files = files;
    this.nextNumber = nextNumber;
  }

  /**
   * Appends the entries and fdatasyncs them: when this returns they survive a power loss. On
   * failure none of them counts as written.
   *
   * @return the segment appended to: call {@link #published} with it once the messages' files are
   *     written (or their done records are), whatever the outcome
   */
  synchronized Segment append(List<Entry> entries) throws IOException {
    if (channel == null) {
      startSegment();
    }
    List<ByteBuffer> parts = new ArrayList<>(entries.size() * 3);
    long octets = 0;
    for (Entry e : entries) {
      byte[] line = JournalFormat.messageLine(current.seed, e.queueId(), e.file());
      parts.add(ByteBuffer.wrap(line));
      octets += line.length;
      for (ByteBuffer b : e.file()) {
        parts.add(b.duplicate());
        octets += b.remaining();
      }
    }
    long before = size;
    try {
      writeFully(parts.toArray(ByteBuffer[]::new), octets);
    } catch (IOException | RuntimeException e) {
      // what did reach the segment must not be replayed: the clients hear that it failed
      cutBack(before, e);
      throw e;
    }
    force();
    size += octets;
    Segment segment = current;
    segment.writing++;
    for (Entry e : entries) {
      segment.live.add(e.queueId());
      segmentOf.put(e.queueId(), segment);
    }
    if (size >= segmentOctets || System.currentTimeMillis() - segment.created >= segmentMillis) {
      retired.addLast(segment);
      closeSegment();
    }
    return segment;
  }

  /**
   * Says that a batch appended to {@code segment} has written its files into the queue (or its
   * done records): until then no checkpoint touches the segment, since a file not written yet
   * cannot be synced.
   *
   * @return whether a retired segment is ready for {@link #checkpointRetired}
   */
  synchronized boolean published(Segment segment) {
    segment.writing--;
    return checkpointDue();
  }

  /** Whether the oldest retired segment is ready for {@link #checkpointRetired}. */
  synchronized boolean checkpointDue() {
    Segment oldest = retired.peekFirst();
    return oldest != null && oldest.writing == 0;
  }

  /**
   * Records that a message left the queue (delivered, bounced, refused or deleted); with
   * {@code durable} the record is fdatasync'd too. Nothing to do for a message not journaled.
   *
   * @return the segment that journaled it (tell it {@link Segment#fileGone} once the message's file
   *     is deleted), or null
   */
  Segment done(String queueId, boolean durable) throws IOException {
    Segment segment = segmentOf.get(queueId);
    if (segment == null) {
      return null;
    }
    synchronized (this) {
      if (channel == null) {
        startSegment();
      }
      byte[] line = JournalFormat.doneLine(current.seed, queueId);
      writeFully(new ByteBuffer[] {ByteBuffer.wrap(line)}, line.length);
      size += line.length;
      if (durable) {
        force();
      }
      // only now, and under the lock a checkpoint's rewrite takes: gone means a done record exists
      // removed first: a checkpoint that no longer finds it live must find it there
      segment.removed.add(queueId);
      segment.live.remove(queueId);
      segmentOf.remove(queueId, segment);
    }
    return segment;
  }

  /** fdatasyncs the current segment: the done records written so far reach the disk. */
  synchronized void sync() throws IOException {
    if (channel != null) {
      force();
    }
  }

  /**
   * fdatasyncs the current segment. When that fails, the segment is suspect: the kernel may have
   * dropped what it could not write and a later fdatasync may succeed without it, so it is never
   * synced again nor trusted. It is abandoned: every message journaled in it that is still in the
   * queue gets its own file synced, and the segment is deleted, the records not synced with it;
   * the caller fails, so those records' messages are not acknowledged (nor their removals taken
   * as durable).
   */
  private void force() throws IOException {
    try {
      channel.force(false);
    } catch (IOException | RuntimeException e) {
      abandonSegment(e);
      throw e;
    }
  }

  /**
   * Checkpoints the retired segments, oldest first and one at a time (a segment's done records
   * may be about messages of an older one, which must not be replayed once they are gone), up to
   * one whose batches are still writing their files. A segment that fails stays retired, for the
   * next call.
   */
  void checkpointRetired() throws IOException {
    synchronized (checkpointLock) {
      while (true) {
        Segment next;
        synchronized (this) {
          next = retired.peekFirst();
          if (next == null || next.writing > 0) {
            return;
          }
        }
        checkpoint(next);
        synchronized (this) {
          retired.removeFirst();
        }
      }
    }
  }

  /**
   * Makes the files of a retired segment's remaining messages durable, then deletes it. A message
   * still live whose file is nowhere is not gone (it has no done record): it is rewritten from the
   * segment before the segment goes. A file of a message being removed is synced too.
   */
  private void checkpoint(Segment segment) throws IOException {
    List<String> ids = new ArrayList<>(segment.live);
    long start = System.nanoTime();
    int synced = 0;
    Set<String> missing = new HashSet<>();
    for (String id : ids) {
      if (files.sync(id)) {
        synced++;
      } else if (segment.live.contains(id)) {
        // asked after the look: a removal takes the message out of live before its file goes
        missing.add(id);
      }
    }
    // A removal under way: its done record is written, not necessarily synced, and its file not
    // deleted yet. Once this segment is gone, a power cut could bring that file back with content
    // that was never synced: it is synced, so what comes back is whole (and tried again).
    for (String id : segment.removed) {
      if (files.sync(id)) {
        synced++;
      }
    }
    if (synced > 0) {
      log.info("spool journal: checkpoint of {}: {} queued message file(s) synced in {} ms", segment.file.getFileName(),
          synced, (System.nanoTime() - start) / 1_000_000);
    }
    if (!missing.isEmpty()) {
      int restored;
      synchronized (this) {
        // no done record can come between the look at live and the rewrite
        restored = restoreAll(segment.file, id -> missing.contains(id) && segment.live.contains(id), files);
      }
      log.error("spool journal: checkpoint of {}: {} queued message(s) without a file and without a done record; "
          + "{} rewritten from the journal: {}{}", segment.file.getFileName(), missing.size(), restored,
          missing.stream().limit(MAX_IDS_LOGGED).toList(), missing.size() > MAX_IDS_LOGGED ? " ..." : "");
    }
    files.syncFolders();
    Files.deleteIfExists(segment.file);
    DurableFiles.fsyncDirectory(dir);
    for (String id : ids) {
      segmentOf.remove(id, segment);
    }
  }

  /**
   * At a clean stop, once nothing is written any more: retires the current segment and checkpoints
   * every retired one, so that the next start has no journal to replay (reading back and syncing
   * every file of a full segment takes seconds to a minute, before the first delivery). A segment
   * whose batches are still writing their files is left for that replay, as after a crash.
   */
  void close() throws IOException {
    synchronized (this) {
      if (channel != null) {
        retired.addLast(current);
        closeSegment();
      }
    }
    checkpointRetired();
  }

  /** Whether a message is journaled and not yet checkpointed (for tests and diagnostics). */
  boolean isJournaled(String queueId) {
    return segmentOf.containsKey(queueId);
  }

  /** What {@link #restoreAll} restores. */
  interface Wanted {
    boolean test(String queueId);
  }

  /**
   * Restores the messages of {@code segment} that are {@code wanted} (see
   * {@link JournaledFiles#restore}), making the folders durable; returns how many files were
   * rewritten. At a checkpoint, and at start-up.
   */
  static int restoreAll(Path segment, Wanted wanted, JournaledFiles files) throws IOException {
    int[] restored = {0};
    JournalFormat.read(segment, new JournalFormat.Visitor() {
      @Override
      public void message(String queueId, ByteBuffer file) throws IOException {
        if (wanted.test(queueId) && files.restore(queueId, file)) {
          restored[0]++;
        }
      }

      @Override
      public void done(String queueId) {
      }
    });
    files.syncFolders();
    return restored[0];
  }

  private void startSegment() throws IOException {
    Path file = dir.resolve(String.format("%016d", nextNumber++));
    channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), DurableFiles.OWNER_ONLY);
    DurableFiles.fsyncDirectory(dir);
    current = new Segment(file, System.currentTimeMillis(), JournalFormat.newSeed());
    // synced with the first records
    byte[] line = JournalFormat.seedLine(current.seed);
    writeFully(new ByteBuffer[] {ByteBuffer.wrap(line)}, line.length);
    size = line.length;
  }

  private void closeSegment() {
    try {
      channel.close();
    } catch (IOException e) {
      log.warn("spool journal: closing {}: {}", current.file, e.toString());
    }
    channel = null;
    current = null;
  }

  /**
   * After a failed write (no fdatasync failed): cuts the segment back to what was durable before
   * it; if even that fails, the segment is abandoned, so the failed records are never replayed.
   */
  private void cutBack(long before, Exception cause) {
    try {
      channel.truncate(before);
      channel.position(before);
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
      abandonSegment(cause);
      return;
    }
    try {
      force();
    } catch (IOException | RuntimeException e) {
      // abandoned by force
      cause.addSuppressed(e);
    }
  }

  /**
   * Checkpoints and deletes the current segment at once, without syncing it again: what it holds
   * of messages still in the queue is made durable through their own files.
   */
  private void abandonSegment(Exception cause) {
    Segment failed = current;
    closeSegment();
    try {
      checkpoint(failed);
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
      log.error("spool journal: segment {} could not be cleaned after a failed write; messages "
          + "refused since may be delivered after a restart", failed.file, e);
    }
  }

  private void writeFully(ByteBuffer[] parts, long octets) throws IOException {
    long left = octets;
    while (left > 0) {
      left -= channel.write(parts);
    }
  }

}
