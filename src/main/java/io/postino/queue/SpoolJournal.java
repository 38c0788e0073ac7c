package io.postino.queue;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool's write-ahead journal for small messages: append-only segment files under
 * {@code <spool>/journal}, where a group commit appends the whole spool file of every small
 * message in its batch and makes them all durable with a single fdatasync. Only then are the
 * messages' own files written into {@code incoming}, without an fsync of their own: until a
 * checkpoint syncs them, the journal is what survives a power loss, and opening the spool rewrites
 * from it any message file that did not.
 *
 * <p>A segment is retired when it reaches {@link #SEGMENT_OCTETS} or is {@link #SEGMENT_MILLIS}
 * old (checked at each append), and then checkpointed: the files of its messages still in the queue
 * are fdatasync'd, and the segment is deleted. So a message delivered before its segment retires
 * never costs an fsync of its own file; one that waits longer pays it once.
 *
 * <p>A message removed from the queue gets a "done" record, synced only when the removal must be
 * durable: after a crash of the process it does not come back; after a power loss an unsynced one
 * may, as an unsynced deletion may anyway (delivery is at least once).
 *
 * <p>Records: {@code M <queue id> <octets> <crc32c hex>\n} followed by that many octets (the
 * message's spool file), or {@code D <queue id>\n}. A record cut short or failing its checksum
 * ends the segment when it is read back: it was never acknowledged.
 *
 * <p>Thread-safe; every method blocks (worker threads only).
 */
final class SpoolJournal {

  private static final Logger log = LoggerFactory.getLogger(SpoolJournal.class);

  /** A segment past this size is retired at the next append. */
  static final long SEGMENT_OCTETS = 64L << 20;

  /** A segment older than this is retired at the next append. */
  static final long SEGMENT_MILLIS = 30_000;

  /** Messages whose content is larger than this get their own fdatasync instead. */
  static final int MAX_MESSAGE_OCTETS = 128 * 1024;

  private static final int MAX_RECORD_LINE = 128;

  /** One message to journal: its queue id and its whole spool file. */
  record Entry(String queueId, ByteBuffer[] file) {
  }

  /** A segment file and the journaled messages in it that are not done yet. */
  static final class Segment {
    final Path file;
    final long created;
    final Set<String> live = ConcurrentHashMap.newKeySet();

    Segment(Path file, long created) {
      this.file = file;
      this.created = created;
    }
  }

  private final long segmentOctets;
  private final long segmentMillis;
  private final Path dir;
  private final Path tmp;
  private final Path incoming;
  private final Path hold;
  private final Map<String, Segment> segmentOf = new ConcurrentHashMap<>();

  private final Object checkpointLock = new Object();

  // Guarded by this.
  private final Deque<Segment> retired = new ArrayDeque<>();
  private long nextNumber;
  private Segment current;
  private FileChannel channel;
  private long size;

  private SpoolJournal(Path dir, Path tmp, Path incoming, Path hold, long nextNumber, long segmentOctets,
      long segmentMillis) {
    this.segmentOctets = segmentOctets;
    this.segmentMillis = segmentMillis;
    this.dir = dir;
    this.tmp = tmp;
    this.incoming = incoming;
    this.hold = hold;
    this.nextNumber = nextNumber;
  }

  /**
   * Opens the journal in {@code dir}, first replaying what a previous run left: every message of
   * an old segment that is not done is made whole and durable in {@code incoming} (or where it
   * was moved to, {@code hold}), and the old segments are deleted.
   */
  static SpoolJournal open(Path dir, Path tmp, Path incoming, Path hold) throws IOException {
    return open(dir, tmp, incoming, hold, SEGMENT_OCTETS, SEGMENT_MILLIS);
  }

  /** As {@link #open(Path, Path, Path, Path)}, with other limits for retiring segments (tests). */
  static SpoolJournal open(Path dir, Path tmp, Path incoming, Path hold, long segmentOctets, long segmentMillis)
      throws IOException {
    DurableFiles.createDirectories(dir);
    List<Path> segments = segments(dir);
    // a message's done record may be in a later segment than the message
    Set<String> done = new HashSet<>();
    for (Path segment : segments) {
      read(segment, (id, file) -> { }, done::add);
    }
    long last = 0;
    for (Path segment : segments) {
      int[] restored = {0};
      read(segment, (id, file) -> {
        if (!done.contains(id) && restore(id, file, tmp, incoming, hold)) {
          restored[0]++;
        }
      }, id -> { });
      DurableFiles.fsyncDirectory(incoming);
      DurableFiles.fsyncDirectory(hold);
      if (restored[0] > 0) {
        log.warn("spool journal: rewrote {} message file(s) from {}", restored[0], segment);
      }
      last = Math.max(last, number(segment));
      Files.delete(segment);
    }
    DurableFiles.fsyncDirectory(dir);
    return new SpoolJournal(dir, tmp, incoming, hold, last + 1, segmentOctets, segmentMillis);
  }

  /**
   * Appends the entries and fdatasyncs them: when this returns they survive a power loss. On
   * failure none of them counts as written.
   *
   * @return whether this append retired a segment: then call {@link #checkpointRetired}
   */
  synchronized boolean append(List<Entry> entries) throws IOException {
    if (channel == null) {
      startSegment();
    }
    List<ByteBuffer> parts = new ArrayList<>(entries.size() * 3);
    long octets = 0;
    for (Entry e : entries) {
      long length = 0;
      CRC32C crc = new CRC32C();
      for (ByteBuffer b : e.file()) {
        length += b.remaining();
        crc.update(b.duplicate());
      }
      byte[] line = ("M " + e.queueId() + " " + length + " " + Long.toHexString(crc.getValue()) + "\n")
          .getBytes(StandardCharsets.US_ASCII);
      parts.add(ByteBuffer.wrap(line));
      for (ByteBuffer b : e.file()) {
        parts.add(b.duplicate());
      }
      octets += line.length + length;
    }
    long before = size;
    try {
      writeFully(parts.toArray(ByteBuffer[]::new), octets);
      channel.force(false);
    } catch (IOException | RuntimeException e) {
      // what did reach the segment must not be replayed: the clients hear that it failed
      abandonSegment(before, e);
      throw e;
    }
    size += octets;
    for (Entry e : entries) {
      current.live.add(e.queueId());
      segmentOf.put(e.queueId(), current);
    }
    if (size >= segmentOctets || System.currentTimeMillis() - current.created >= segmentMillis) {
      retired.addLast(current);
      closeSegment();
      return true;
    }
    return false;
  }

  /**
   * Records that a message left the queue (delivered, bounced, refused or deleted); with
   * {@code durable} the record is fdatasync'd too. Nothing to do for a message not journaled.
   */
  void done(String queueId, boolean durable) throws IOException {
    Segment segment = segmentOf.remove(queueId);
    if (segment == null) {
      return;
    }
    segment.live.remove(queueId);
    synchronized (this) {
      if (channel == null) {
        startSegment();
      }
      byte[] line = ("D " + queueId + "\n").getBytes(StandardCharsets.US_ASCII);
      writeFully(new ByteBuffer[] {ByteBuffer.wrap(line)}, line.length);
      size += line.length;
      if (durable) {
        channel.force(false);
      }
    }
  }

  /** fdatasyncs the current segment: the done records written so far reach the disk. */
  synchronized void sync() throws IOException {
    if (channel != null) {
      channel.force(false);
    }
  }

  /**
   * Checkpoints the retired segments, oldest first and one at a time (a segment's done records
   * may be about messages of an older one, which must not be replayed once they are gone). A
   * segment that fails stays retired, for the next call.
   */
  void checkpointRetired() throws IOException {
    synchronized (checkpointLock) {
      while (true) {
        Segment next;
        synchronized (this) {
          next = retired.peekFirst();
        }
        if (next == null) {
          return;
        }
        checkpoint(next);
        synchronized (this) {
          retired.removeFirst();
        }
      }
    }
  }

  /** Makes the files of a retired segment's remaining messages durable, then deletes it. */
  private void checkpoint(Segment segment) throws IOException {
    List<String> ids = new ArrayList<>(segment.live);
    long start = System.nanoTime();
    int synced = 0;
    for (String id : ids) {
      if (syncMessageFile(id)) {
        synced++;
      }
    }
    if (synced > 0) {
      log.info("spool journal: checkpoint of {}: {} queued message file(s) synced in {} ms", segment.file.getFileName(),
          synced, (System.nanoTime() - start) / 1_000_000);
    }
    DurableFiles.fsyncDirectory(incoming);
    DurableFiles.fsyncDirectory(hold);
    Files.deleteIfExists(segment.file);
    DurableFiles.fsyncDirectory(dir);
    for (String id : ids) {
      segmentOf.remove(id, segment);
    }
  }

  /** Whether a message is journaled and not yet checkpointed (for tests and diagnostics). */
  boolean isJournaled(String queueId) {
    return segmentOf.containsKey(queueId);
  }

  /** fdatasyncs a message's file wherever it is; false when it is nowhere (gone). */
  private boolean syncMessageFile(String id) throws IOException {
    // incoming, then hold, then incoming again: a release between the first two looks is not missed
    for (Path file : List.of(incoming.resolve(id), hold.resolve(id), incoming.resolve(id))) {
      // java.io.File asks without an exception: a checkpoint may look for many files that are gone
      if (!file.toFile().isFile()) {
        continue;
      }
      try {
        DurableFiles.fdatasync(file);
        return true;
      } catch (NoSuchFileException e) {
        // removed since the look
      }
    }
    return false;
  }

  private void startSegment() throws IOException {
    Path file = dir.resolve(String.format("%016d", nextNumber++));
    channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), DurableFiles.OWNER_ONLY);
    DurableFiles.fsyncDirectory(dir);
    current = new Segment(file, System.currentTimeMillis());
    size = 0;
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
   * After a failed append: cuts the segment back to what was durable before it; if even that
   * fails, checkpoints and deletes the segment at once, so the failed records are never replayed.
   */
  private void abandonSegment(long before, Exception cause) {
    try {
      channel.truncate(before);
      channel.force(false);
      channel.position(before);
      return;
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
    }
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

  // ---------------------------------------------------------------- replay

  private static List<Path> segments(Path dir) throws IOException {
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

  private static long number(Path segment) {
    return Long.parseLong(segment.getFileName().toString());
  }

  /** What reading a segment finds: whole message records and done records, in order. */
  private interface MessageRecord {
    void found(String queueId, byte[] file) throws IOException;
  }

  private interface DoneRecord {
    void found(String queueId);
  }

  /** Reads a segment's records up to its end, or up to a record cut short or damaged. */
  private static void read(Path segment, MessageRecord message, DoneRecord done) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(segment), 1 << 16)) {
      while (true) {
        String line = readLine(in);
        if (line == null) {
          return;
        }
        String[] f = line.split(" ", -1);
        if (f.length == 2 && f[0].equals("D") && QueueIds.isAcceptable(f[1])) {
          done.found(f[1]);
          continue;
        }
        byte[] file = f.length == 4 && f[0].equals("M") && QueueIds.isAcceptable(f[1]) ? readMessage(in, f) : null;
        if (file == null) {
          log.warn("spool journal: {} ends with an incomplete record: it was never acknowledged", segment);
          return;
        }
        message.found(f[1], file);
      }
    }
  }

  /**
   * Syncs a message's file where it is, or rewrites it from the journal when it is missing or not
   * whole; true when it was rewritten.
   */
  private static boolean restore(String id, byte[] content, Path tmp, Path incoming, Path hold) throws IOException {
    for (Path file : List.of(incoming.resolve(id), hold.resolve(id))) {
      byte[] existing;
      try {
        existing = Files.readAllBytes(file);
      } catch (NoSuchFileException e) {
        continue;
      }
      if (Arrays.equals(existing, content)) {
        DurableFiles.fdatasync(file);
        return false;
      }
      rewrite(content, tmp.resolve(id), file);
      return true;
    }
    // No file at all: either it was never written into incoming, the case that matters, or it
    // was removed and its done record died with the process: then it is delivered a second time.
    rewrite(content, tmp.resolve(id), incoming.resolve(id));
    return true;
  }

  private static void rewrite(byte[] content, Path temporary, Path target) throws IOException {
    DurableFiles.write(temporary, true, true, ByteBuffer.wrap(content));
    Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The record's octets if they are all there and match their checksum, else null. */
  private static byte[] readMessage(InputStream in, String[] f) throws IOException {
    long length;
    long crc;
    try {
      length = Long.parseLong(f[2]);
      crc = Long.parseLong(f[3], 16);
    } catch (NumberFormatException e) {
      return null;
    }
    if (length < 0 || length > MAX_MESSAGE_OCTETS + SpoolFileFormat.MAX_ENVELOPE_OCTETS + 64L) {
      return null;
    }
    byte[] file = in.readNBytes((int) length);
    if (file.length != length) {
      return null;
    }
    CRC32C check = new CRC32C();
    check.update(file);
    return check.getValue() == crc ? file : null;
  }

  /**
   * A record line without its line feed: null at the end of the segment, empty (no record) for a
   * line cut short or too long.
   */
  private static String readLine(InputStream in) throws IOException {
    byte[] line = new byte[MAX_RECORD_LINE];
    int n = 0;
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        return new String(line, 0, n, StandardCharsets.US_ASCII);
      }
      if (n == line.length) {
        return "";
      }
      line[n++] = (byte) b;
    }
    return n == 0 ? null : "";
  }
}
