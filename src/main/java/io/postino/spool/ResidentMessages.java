package io.postino.spool;

import io.postino.files.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Journaled messages that have no file in {@code incoming} yet: their whole spool file, as the
 * journal got it, kept in memory. The journal's fdatasync already made such a message durable; its
 * file would only be written without a sync of its own and synced at its segment's checkpoint, and
 * most messages are delivered and removed well before that. So the file is written only when
 * something needs it ({@link #materialize}): the checkpoint of its segment ({@link #sync}), a
 * deferral (its next attempt is the file's modification time), an operator's move or listing.
 * A message delivered before that never touches {@code incoming}. Memory is bounded by a budget
 * counted as {@link HeldContent} counts its own: past it, messages get their file at once, as
 * before. The messages read from here ({@link SpooledMessage#content}) hold the entry, not the
 * octets: once the file is written they read it, and the octets are free, however long the queue
 * keeps the message in its active window.
 *
 * <p>Readers never see a file half written: they look here first, and an entry stays readable
 * until its file is whole ({@link ConcurrentHashMap#get} does not wait for a computation, and sees
 * the entry until it ends). The policy consumer, the only reader given a path rather than the
 * message, is asked once the file is written ({@link Spool#materialize}).
 *
 * <p>No ghost files: a file written after its message's removal deleted it would be delivered
 * again after a restart (it has a done record, but a file in {@code incoming} is what the queue
 * lists). A materialization writes the file inside {@link ConcurrentHashMap#computeIfPresent} and
 * then drops the entry; {@link #forget} removes the entry, which waits for a computation under way
 * on that key. A removal forgets the message before it deletes the file, so either the file was
 * written before the deletion, which then takes it, or the entry was gone and nothing is written.
 * The callers: {@link SpoolRemovals} and {@link OperatorMoves#delete} (done record, forget, delete
 * the file); the group commit's undo (forget, then delete a file something may have written); {@link SpoolFolders#sync} at a
 * checkpoint, {@link Spool#setNextAttempt}, the operator's moves and listings (materialize, then
 * work on the file as before; a message removed meanwhile simply has none).
 *
 * <p>Durability is the journal's, unchanged: a message is only made resident after the journal's
 * fdatasync returned, and it leaves the journal only through a done record; a crash loses the
 * memory, and the start-up replay writes the file of every journaled message without a done record,
 * as it does for a file whose write a crash cut short. A checkpoint writes and fdatasyncs the files
 * of its segment's residents before it deletes the segment, so a segment never goes while one of
 * its messages lives in memory only.
 *
 * <p>Thread-safe: workers and event loops. {@link #materialize} and {@link #sync} block.
 */
final class ResidentMessages {

  /** The budget of a spool: at most 64 MiB, and at most a sixteenth of the heap. */
  static final long DEFAULT_LIMIT = Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 16);

  /** A test seam: runs inside a materialization, just before the file is written. */
  interface WriteHook {
    void beforeWrite(String queueId);
  }

  private final Path incoming;
  private final HeldContent budget;
  private final ConcurrentHashMap<String, Kept> files = new ConcurrentHashMap<>();
  private volatile WriteHook hook = id -> { };

  ResidentMessages(Path incoming, long limit) {
    this.incoming = incoming;
    this.budget = new HeldContent(limit);
  }

  /**
   * Keeps a journaled message's whole file (copied: the caller's buffers are the session's) instead
   * of writing it into {@code incoming}; false, keeping nothing, when the budget has no room.
   */
  boolean keep(String queueId, ByteBuffer[] file) {
    long octets = 0;
    for (ByteBuffer b : file) {
      octets += b.remaining();
    }
    if (octets > Integer.MAX_VALUE || !budget.take(octets)) {
      return false;
    }
    ByteBuffer whole = ByteBuffer.allocate((int) octets);
    for (ByteBuffer b : file) {
      whole.put(b.duplicate());
    }
    Kept previous = files.put(queueId, new Kept(whole.flip().asReadOnlyBuffer()));
    if (previous != null) {
      budget.give(previous.octets);
    }
    return true;
  }

  /**
   * A message's whole file while it is kept (read-only, each call a position of its own), or null
   * when it has its file (or is gone). The messages read from here ({@link SpooledMessage#content})
   * hold this, not the octets: once the file is written they read it, and the memory is free.
   */
  Supplier<ByteBuffer> get(String queueId) {
    return files.get(queueId);
  }

  boolean contains(String queueId) {
    return files.containsKey(queueId);
  }

  int size() {
    return files.size();
  }

  /** The queue ids of the resident messages now. */
  List<String> ids() {
    return new ArrayList<>(files.keySet());
  }

  /** Whether a message of {@code octets} would be kept if it came now (a hint, see {@link #keep}). */
  boolean hasRoom(long octets) {
    return budget.hasRoom(octets);
  }

  /** Octets kept (for tests). */
  long octets() {
    return budget.held();
  }

  /**
   * Writes a resident message's file into {@code incoming} as the group commit would have (no sync
   * unless {@code sync}) and forgets it; false when it is not resident (it has its file, or is gone).
   * On failure it stays resident and no partial file is left.
   */
  boolean materialize(String queueId, boolean sync) throws IOException {
    boolean[] written = {false};
    try {
      files.computeIfPresent(queueId, (id, kept) -> {
        Path target = incoming.resolve(id);
        try {
          hook.beforeWrite(id);
          DurableFiles.write(target, false, sync, kept.whole);
        } catch (FileAlreadyExistsException e) {
          // never the case (only the start-up replay writes a journaled message's file otherwise):
          // the file there is not this write's to take back
          throw new UncheckedIOException(e);
        } catch (IOException e) {
          try {
            Files.deleteIfExists(target);
          } catch (IOException undo) {
            e.addSuppressed(undo);
          }
          throw new UncheckedIOException(e);
        }
        // from now on its readers read the file, which is whole
        kept.whole = null;
        budget.give(kept.octets);
        written[0] = true;
        return null;
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return written[0];
  }

  /** Materializes every resident message (before a listing of {@code incoming} for an operator). */
  void materializeAll() throws IOException {
    for (String id : ids()) {
      materialize(id, false);
    }
  }

  /**
   * A checkpoint's sync of a resident message: writes its file and fdatasyncs it; false when it is
   * not resident.
   */
  boolean sync(String queueId) throws IOException {
    return materialize(queueId, true);
  }

  /**
   * Forgets a message (removed, or its commit undone); waits for a materialization under way, so
   * the caller's deletion of the file comes after any write of it. True when the message was
   * still resident: its file was never written (a materialization drops the entry once it has).
   */
  boolean forget(String queueId) {
    Kept kept = files.remove(queueId);
    if (kept == null) {
      return false;
    }
    // not cleared: a reader that still has the message may finish with it
    budget.give(kept.octets);
    return true;
  }

  /** One message's whole file, until it is written. */
  private static final class Kept implements Supplier<ByteBuffer> {
    final int octets;
    volatile ByteBuffer whole;

    Kept(ByteBuffer whole) {
      this.octets = whole.remaining();
      this.whole = whole;
    }

    @Override
    public ByteBuffer get() {
      ByteBuffer w = whole;
      return w == null ? null : w.duplicate();
    }
  }

  /** Tests: a new budget (what is kept stays kept). */
  void limit(long octets) {
    budget.limit(octets);
  }

  /** Tests: runs {@code hook} inside every materialization, before the write. */
  void onWrite(WriteHook hook) {
    this.hook = hook;
  }
}
