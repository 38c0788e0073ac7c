package io.postino.queue;

import io.postino.spool.CorruptSpoolFileException;
import io.postino.spool.MessageStatus;
import io.postino.spool.Spool;
import io.postino.spool.SpooledMessage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded in-memory window over the spool (Postfix's active queue): at most
 * {@code activeLimit} messages, taken in as the server accepts them or as a scan of the spool finds
 * them due, each handed to {@code start} for a round of delivery once loaded. The rest wait on
 * disk; when room frees up while some wait, the spool is scanned again. Queue context only, except
 * {@link #count}.
 */
final class ActiveWindow {

  private static final Logger log = LoggerFactory.getLogger(ActiveWindow.class);

  /** Messages read from the spool at once at most, as a scan takes them in. */
  static final int MAX_READING = 8;

  private final Spool spool;
  private final int limit;
  private final Consumer<CorruptSpoolFileException> onCorrupt;
  private final Consumer<ActiveMessage> start;
  private final Map<String, ActiveMessage> active = new HashMap<>();
  /** Taken in from a scan, waiting for their files to be read (see {@link #readUnread}). */
  private final Deque<ActiveMessage> unread = new ArrayDeque<>();
  private int reading;
  private boolean readingUnread;
  private final AtomicInteger count = new AtomicInteger();
  private boolean backlog;
  private boolean scanning;
  private boolean rescan;
  /** A flush not yet carried out by a complete scan that ignores times. */
  private boolean flushPending;
  /** Set by {@link #stop}: nothing new comes in; completed once the window is empty. */
  private Promise<Void> stopped;

  /**
   * @param onCorrupt told of a message file found corrupt (already set aside) as it was loaded
   * @param start     begins a message's round of delivery, once it is in the window and loaded
   */
  ActiveWindow(Spool spool, int limit, Consumer<CorruptSpoolFileException> onCorrupt, Consumer<ActiveMessage> start) {
    this.spool = spool;
    this.limit = limit;
    this.onCorrupt = onCorrupt;
    this.start = start;
  }

  /** The message in the window under this id, or null. */
  ActiveMessage get(String queueId) {
    return active.get(queueId);
  }

  /** The queue ids in the window now (a copy). */
  Set<String> ids() {
    return Set.copyOf(active.keySet());
  }

  /** Messages in the window now. Thread-safe. */
  int count() {
    return count.get();
  }

  /** Takes in a message the server has just accepted, when there is room; else it waits on disk. */
  void admit(SpooledMessage message) {
    if (stopped != null || active.containsKey(message.queueId())) {
      // stopping: the message waits on disk, due now, for the next start
      return;
    }
    if (active.size() >= limit) {
      // it waits on disk, due now: a scan takes it in when there is room
      backlog = true;
      return;
    }
    ActiveMessage e = new ActiveMessage(message.queueId());
    e.message = message;
    e.status = new MessageStatus(message.envelope().recipients().size());
    put(e);
    start.accept(e);
  }

  /** Looks for due messages on disk ({@code all}: every one, whatever its time), as many as there is room for. */
  void scan(boolean all) {
    // a flush lasts until a scan that ignores times has found everything: when there is no room,
    // or more messages than room, the later scans (as room frees up) keep ignoring times
    flushPending |= all;
    if (stopped != null) {
      return;
    }
    if (scanning) {
      rescan = true;
      return;
    }
    int room = limit - active.size();
    if (room <= 0) {
      backlog = true;
      return;
    }
    scanning = true;
    boolean flushing = flushPending;
    spool.due(Instant.now(), room, Set.copyOf(active.keySet()), flushing).onComplete(ar -> {
      scanning = false;
      if (ar.succeeded()) {
        backlog = ar.result().more();
        if (flushing && !backlog && !rescan) {
          flushPending = false;
        }
        if (stopped == null) {
          ar.result().queueIds().forEach(this::load);
        }
      } else {
        log.warn("cannot list the spool: {}", ar.cause().toString());
      }
      if (rescan) {
        rescan = false;
        scan(false);
      }
    });
  }

  private void load(String queueId) {
    // stopped: by a round that started within this scan's taking in (a read may complete at once)
    if (stopped != null || active.containsKey(queueId)) {
      return;
    }
    if (active.size() >= limit) {
      backlog = true;
      return;
    }
    // in the map before the file is read: once a message leaves the map its file is gone or
    // deferred, so reading after this point cannot revive a message that was just finished
    ActiveMessage e = new ActiveMessage(queueId);
    put(e);
    unread.add(e);
    readUnread();
  }

  /**
   * Reads waiting messages from the spool, at most {@link #MAX_READING} at a time: a scan after a
   * restart may find thousands, and a read for each at once would queue ahead of the worker tasks
   * of the deliveries that the first ones start.
   */
  private void readUnread() {
    if (readingUnread) {
      // a read that completed at once (done before its callbacks were attached, or a file name
      // that is no queue id) has its callbacks run within the loop below
      return;
    }
    readingUnread = true;
    try {
      while (reading < MAX_READING && !unread.isEmpty()) {
        ActiveMessage e = unread.poll();
        reading++;
        spool.load(e.queueId)
            .map(loaded -> {
              e.message = loaded.message();
              e.status = loaded.status();
              e.statusFile = loaded.statusFile();
              return e;
            })
            .onComplete(ar -> {
              reading--;
              loaded(e, ar.cause());
              readUnread();
            });
      }
    } finally {
      readingUnread = false;
    }
  }

  private void loaded(ActiveMessage e, Throwable failure) {
    if (failure != null) {
      if (failure instanceof CorruptSpoolFileException corrupt) {
        onCorrupt.accept(corrupt);
      } else if (!(failure instanceof NoSuchFileException)) {
        log.error("{}: cannot load from the spool: {}", e.queueId, failure.getMessage());
      }
      forget(e);
      return;
    }
    if (stopped != null && !e.operationRequested()) {
      // loaded as the stop began: its round would start after it, so it waits on disk
      forget(e);
      return;
    }
    // (an operator's hold or delete, asked for while it was read, is carried out by its start
    // even during a stop: the operator was told it would be)
    start.accept(e);
  }

  /**
   * Takes nothing more in (what comes is left on disk, due for the next start) and completes once
   * the rounds under way are over.
   */
  Future<Void> stop() {
    if (stopped == null) {
      stopped = Promise.promise();
      // not read yet: they wait on disk, due, for the next start, but for an operator's hold or
      // delete asked for meanwhile, which their start carries out without reading them
      while (!unread.isEmpty()) {
        ActiveMessage e = unread.poll();
        if (e.operationRequested()) {
          start.accept(e);
        } else {
          forget(e);
        }
      }
      if (active.isEmpty()) {
        stopped.tryComplete();
      }
    }
    return stopped.future();
  }

  private void put(ActiveMessage e) {
    active.put(e.queueId, e);
    count.set(active.size());
  }

  /** The message leaves the window (finished, deferred, held or deleted); waiting ones may come in. */
  void forget(ActiveMessage e) {
    active.remove(e.queueId);
    count.set(active.size());
    if (stopped != null) {
      if (active.isEmpty()) {
        stopped.tryComplete();
      }
      return;
    }
    if (backlog && active.size() <= limit * 3 / 4) {
      scan(false);
    }
  }
}
