package io.postino.spool;

import io.postino.files.DurableFiles;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

/**
 * The {@link SpoolWriter} of one message, made durable in {@code incoming} by the
 * {@link GroupCommitter}.
 *
 * <p>Content written waits in memory, with the file's header and the writer's preamble, at least
 * until the current task on the writer's context ends, and past it while the message is at most
 * {@link #HOLD_LIMIT} and the process's {@link HeldContent} budget has room for it. A message that
 * ends while in memory is committed whole: through the journal when its content is at most
 * {@link SpoolJournal#MAX_MESSAGE_OCTETS} (or larger, when it commits alone and the resident
 * messages have room: see {@link #durable}), otherwise written to {@code tmp/<queue id>},
 * fdatasync'd and closed in one worker task, and renamed by the group commit. So one client's
 * 100 KiB message, which comes in several reads, costs one worker task between its last octet
 * and its 250, not one for every read. A message that outgrows the limit or the budget gets an
 * {@link AsyncFile} on {@code tmp/<queue id>} that streams the rest with back-pressure (about
 * {@link #PENDING_LIMIT} octets held while the file opens, then the writer reports its queue
 * full), and is fdatasync'd by the group commit. Nothing is held beyond what the session has
 * already read from the socket.
 *
 * <p>A {@link LeadingHeaders} given at creation reads the content as it is written; what it gives
 * at commit goes in front of the content: into the held buffers, or, for a streamed message, into
 * a copy of its file made on a worker ({@link PrefixedFile}).
 *
 * <p>Like AsyncFile, this writer keeps each written buffer (without copying) until its write's
 * future completes, so callers must not modify a buffer after writing it. The future of a write
 * that waits for the end of its turn completes when the message is committed or once the write
 * reached the file.
 *
 * <p>Not thread-safe: use it from the context that called {@link Spool#create}.
 */
final class SpoolFileWriter implements SpoolWriter {

  /** Octets held while the file opens before the writer reports its queue full. */
  static final int PENDING_LIMIT = 64 * 1024;

  /**
   * Octets (header included) a message may hold in memory, over as many turns as it takes: a
   * 100 KiB message with its headers; under a flood of content, what 50 sessions hold is 6 MiB.
   */
  static final int HOLD_LIMIT = 128 * 1024;

  /** Entered when commit() or abort() is called; how that ended is in the futures. */
  private enum State { OPEN, COMMITTED, ABORTED }

  private final Vertx vertx;
  private final Context context;
  private final GroupCommitter committer;
  private final Envelope envelope;
  private final Path tmpFile;
  private final Path target;
  private final long contentOffset;
  /** The file's header, sealed with the content's length and checksum at commit. */
  private final byte[] header;
  /** The content's CRC-32C, computed as it is written (hardware-assisted: cheap next to the I/O). */
  private final CRC32C crc = new CRC32C();
  private final SpoolFaults faults;
  /** Reads the content as it is written and gives what goes in front of it at commit; or null. */
  private final LeadingHeaders leading;
  /** Where the octets held past their turn are counted. */
  private final HeldContent budget;

  private State state = State.OPEN;
  private Future<SpooledMessage> commitFuture;
  private Future<Void> abortFuture;
  private long contentLength;

  // Until the first turn ends: what waits for the disk, and the one future all of it shares.
  private List<Buffer> pending = new ArrayList<>();
  private int pendingBytes;
  private Promise<Void> pendingWritten = Promise.promise();
  private boolean turnEndScheduled;
  /** Octets of {@link #pending} counted in {@link #budget}. */
  private long reserved;
  private Handler<Void> drainHandler;

  // Once the message streams: its file, opening and then open (or why it could not be opened).
  private Future<StreamedFile> opened;
  private StreamedFile file;
  private Throwable openFailure;

  /**
   * A writer whose file will begin with {@code header} and whose content begins with
   * {@code preamble} (or nothing when null): both wait, without a turn's deadline, for the first
   * content written, since they are the writer's own and not anything read from a client.
   */
  SpoolFileWriter(Vertx vertx, GroupCommitter committer, Envelope envelope, Path tmpFile,
      Path target, byte[] header, Buffer preamble, LeadingHeaders leading, SpoolFaults faults, HeldContent budget) {
    this.vertx = vertx;
    this.budget = budget;
    this.leading = leading;
    this.faults = faults;
    this.context = vertx.getOrCreateContext();
    this.committer = committer;
    this.envelope = envelope;
    this.tmpFile = tmpFile;
    this.target = target;
    this.contentOffset = header.length;
    this.header = header;
    pending.add(Buffer.buffer(header));
    pendingBytes = header.length;
    if (preamble != null) {
      pending.add(preamble);
      pendingBytes += preamble.length();
      contentLength = preamble.length();
      crc.update(nio(preamble));
      if (leading != null) {
        leading.update(nio(preamble));
      }
    }
  }

  @Override
  public Future<Void> write(Buffer content) {
    if (state != State.OPEN) {
      return Future.failedFuture(new IllegalStateException("spool writer is " + state));
    }
    contentLength += content.length();
    crc.update(nio(content));
    if (leading != null) {
      leading.update(nio(content));
    }
    if (file != null) {
      return file.write(content);
    }
    if (pending == null) {
      // the file could not be opened; commit reports it
      return Future.failedFuture(openFailure);
    }
    return hold(content);
  }

  @Override
  public boolean writeQueueFull() {
    if (state != State.OPEN) {
      return false;
    }
    // While the file opens, new writes still wait with the first ones.
    return file == null ? pendingBytes >= (opened == null ? HOLD_LIMIT : PENDING_LIMIT) : file.writeQueueFull();
  }

  @Override
  public SpoolWriter drainHandler(Handler<Void> handler) {
    if (state != State.OPEN) {
      return this;
    }
    if (file == null) {
      drainHandler = handler;
    } else {
      file.drainHandler(handler);
    }
    return this;
  }

  String queueId() {
    return envelope.queueId();
  }

  @Override
  public long contentLength() {
    return contentLength;
  }

  @Override
  public Future<SpooledMessage> commit() {
    if (state == State.ABORTED) {
      return Future.failedFuture(new IllegalStateException("spool writer was aborted"));
    }
    if (state == State.COMMITTED) {
      return commitFuture;
    }
    state = State.COMMITTED;
    drainHandler = null;
    if (leading == null) {
      commitFuture = seal(null);
    } else {
      // the lead may complete on another context (a shared DNS lookup): back to this writer's
      Promise<Buffer> prefix = Promise.promise();
      leading.complete().onComplete(ar -> context.runOnContext(v -> prefix.handle(ar)));
      commitFuture = prefix.future().otherwiseEmpty().compose(p -> seal(p == null || p.length() == 0 ? null : p));
    }
    return commitFuture;
  }

  /** Makes the message durable, with {@code prefix} (or nothing when null) in front of its content. */
  private Future<SpooledMessage> seal(Buffer prefix) {
    long length = contentLength + (prefix == null ? 0 : prefix.length());
    Future<Void> durable;
    if (opened == null) {
      long checksum = crc.getValue();
      if (prefix != null) {
        pending.add(1, prefix);
        CRC32C all = new CRC32C();
        pending.subList(1, pending.size()).forEach(b -> all.update(nio(b)));
        checksum = all.getValue();
      }
      SpoolFileFormat.seal(header, length, checksum);
      pending.set(0, Buffer.buffer(header));
      ByteBuffer[] whole = takePending().stream().map(SpoolFileWriter::nio).toArray(ByteBuffer[]::new);
      durable = durable(length, whole);
      durable.onComplete(pendingWritten);
      durable.onComplete(ar -> release());
    } else if (prefix == null) {
      // the header went out with the first turn's content, before the length and checksum were known
      int firstLine = SpoolFileFormat.seal(header, length, crc.getValue());
      Buffer sealed = Buffer.buffer(header).slice(0, firstLine);
      durable = closeAfterWrites(sealed)
          .compose(v -> injected(SpoolFaults.Point.CONTENT_WRITE))
          .compose(v -> injected(SpoolFaults.Point.MESSAGE_SYNC))
          .compose(v -> committer.commit(tmpFile, target, false));
    } else {
      // the content is in the file already: a copy puts the prefix in front (see PrefixedFile)
      durable = closeAfterWrites(null)
          .compose(v -> vertx.<Void>executeBlocking(() -> {
            PrefixedFile.prepend(tmpFile, header, contentOffset, nio(prefix));
            return null;
          }, false))
          .compose(v -> injected(SpoolFaults.Point.CONTENT_WRITE))
          .compose(v -> injected(SpoolFaults.Point.MESSAGE_SYNC))
          .compose(v -> committer.commit(tmpFile, target, false));
    }
    return durable
        .map(v -> resident(new SpooledMessage(envelope, target, contentOffset, length,
            leading == null ? List.of() : leading.authResults())))
        .recover(err -> deleteTmpFile().transform(ignored -> Future.failedFuture(err)));
  }

  /** The message with its content in memory when the group commit kept it resident. */
  private SpooledMessage resident(SpooledMessage message) {
    Supplier<ByteBuffer> whole = committer.residents().get(message.queueId());
    return whole == null ? message : message.inMemory(whole);
  }

  /**
   * A whole message in memory made durable: through the journal when it is small enough, or when
   * it is at most {@link SpoolJournal#MAX_RECORDED_OCTETS} and the group commit would rather
   * journal it ({@link GroupCommitter#journalsAlone}: one client waiting, one journal append and
   * fdatasync before its 250 against a file's creation, fdatasync, rename and directory fsync);
   * else written, fdatasync'd and closed in one worker task, and renamed by the group commit (in
   * that same task when no other batch is in flight).
   */
  private Future<Void> durable(long length, ByteBuffer[] whole) {
    if (length <= SpoolJournal.MAX_MESSAGE_OCTETS
        || length <= SpoolJournal.MAX_RECORDED_OCTETS
            && committer.journalsAlone(contentOffset + length)) {
      return injected(SpoolFaults.Point.CONTENT_WRITE)
          .compose(v -> injected(SpoolFaults.Point.MESSAGE_SYNC))
          .compose(v -> committer.commitJournaled(target, whole));
    }
    return committer.commitWritten(tmpFile, target, () -> {
      faults.check(SpoolFaults.Point.CONTENT_WRITE, envelope.queueId());
      faults.check(SpoolFaults.Point.MESSAGE_SYNC, envelope.queueId());
      DurableFiles.write(tmpFile, false, true, whole);
    });
  }

  @Override
  public Future<Void> abort() {
    if (state == State.COMMITTED) {
      return Future.failedFuture(new IllegalStateException("spool writer was committed"));
    }
    if (state == State.ABORTED) {
      return abortFuture;
    }
    state = State.ABORTED;
    drainHandler = null;
    if (opened == null) {
      // nothing reached the disk
      takePending();
      release();
      pendingWritten.tryFail(new IllegalStateException("spool writer was aborted"));
      abortFuture = Future.succeededFuture();
    } else {
      abortFuture = closeAfterWrites(null).transform(ignored -> deleteTmpFile());
    }
    return abortFuture;
  }

  private Future<Void> hold(Buffer buffer) {
    pending.add(buffer);
    pendingBytes += buffer.length();
    if (!turnEndScheduled) {
      turnEndScheduled = true;
      context.runOnContext(v -> turnEnded());
    }
    return pendingWritten.future();
  }

  /**
   * The turn ended with the message still open: it stays in memory while it is at most
   * {@link #HOLD_LIMIT} and the budget has room for what it holds, else it streams through a file.
   */
  private void turnEnded() {
    turnEndScheduled = false;
    if (state != State.OPEN || opened != null) {
      return;
    }
    if (pendingBytes <= HOLD_LIMIT && budget.take(pendingBytes - reserved)) {
      reserved = pendingBytes;
      return;
    }
    spill();
  }

  private void release() {
    budget.give(reserved);
    reserved = 0;
  }

  private List<Buffer> takePending() {
    List<Buffer> taken = pending;
    pending = null;
    pendingBytes = 0;
    return taken;
  }

  /** From now on the message streams through a file. */
  private void spill() {
    OpenOptions newFile = new OpenOptions()
        .setRead(false)
        .setWrite(true)
        .setCreateNew(true)
        .setPerms("rw-------");
    Promise<Void> written = pendingWritten;
    // opened is set before onOpened can run (it may run at once, and resume the source), and
    // completes only after it: a commit waiting on it then finds the file set. (A listener of the
    // open future itself may run before another one registered earlier.)
    Promise<StreamedFile> opening = Promise.promise();
    opened = opening.future();
    vertx.fileSystem().open(tmpFile.toString(), newFile).transform(ar -> onOpened(ar, written)).onComplete(opening);
  }

  private Future<StreamedFile> onOpened(AsyncResult<AsyncFile> ar, Promise<Void> written) {
    List<Buffer> held = takePending();
    Handler<Void> resume = drainHandler;
    drainHandler = null;
    if (ar.failed()) {
      release();
      openFailure = ar.cause();
      written.fail(ar.cause());
      if (resume != null) {
        // let the source finish; commit reports the failure
        resume.handle(null);
      }
      return Future.failedFuture(ar.cause());
    }
    file = new StreamedFile(ar.result());
    List<Future<Void>> writes = new ArrayList<>(held.size());
    for (Buffer b : held) {
      writes.add(file.write(b));
    }
    Future.all(writes).<Void>mapEmpty().onComplete(written);
    written.future().onComplete(v -> release());
    if (resume != null && state == State.OPEN) {
      // AsyncFile calls a drain handler only after its own queue was full
      if (file.writeQueueFull()) {
        file.drainHandler(resume);
      } else {
        resume.handle(null);
      }
    }
    return Future.succeededFuture(file);
  }

  /** Closes the file once it is open and every write has finished (see {@link StreamedFile}). */
  private Future<Void> closeAfterWrites(Buffer firstLine) {
    return opened.compose(f -> f.closeAfterWrites(firstLine));
  }

  private Future<Void> injected(SpoolFaults.Point point) {
    try {
      faults.check(point, envelope.queueId());
      return Future.succeededFuture();
    } catch (java.io.IOException e) {
      return Future.failedFuture(e);
    }
  }

  private static ByteBuffer nio(Buffer buffer) {
    return ((BufferInternal) buffer).getByteBuf().nioBuffer();
  }

  private Future<Void> deleteTmpFile() {
    return vertx.executeBlocking(() -> {
      Files.deleteIfExists(tmpFile);
      return null;
    }, false);
  }
}
