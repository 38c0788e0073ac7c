package io.postino.spool;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The process's budget for message content kept in memory past the event-loop turn that read it:
 * a message of up to {@link SpoolFileWriter#HOLD_LIMIT} that arrives over several turns waits
 * whole in memory for its end, and is then journaled or written and fdatasync'd in one worker
 * task, rather than streamed through a file with a worker task for every read. Once the budget is
 * taken, further messages stream to {@code tmp} after their first turn; nothing is refused for it.
 *
 * <p>Thread-safe.
 */
final class HeldContent {

  /** At most 64 MiB, and at most a sixteenth of the heap. */
  static final HeldContent PROCESS = new HeldContent(Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 16));

  private volatile long limit;
  private final AtomicLong held = new AtomicLong();

  HeldContent(long limit) {
    this.limit = limit;
  }

  /** Takes {@code octets} more; false, taking nothing, when that would pass the limit. */
  boolean take(long octets) {
    if (octets <= 0) {
      return true;
    }
    if (held.addAndGet(octets) > limit) {
      held.addAndGet(-octets);
      return false;
    }
    return true;
  }

  /** Whether {@code octets} more would fit now (a hint: others may take or give meanwhile). */
  boolean hasRoom(long octets) {
    return held.get() + octets <= limit;
  }

  /** Tests: a new limit (what is held stays held). */
  void limit(long octets) {
    this.limit = octets;
  }

  void give(long octets) {
    if (octets > 0) {
      held.addAndGet(-octets);
    }
  }

  long held() {
    return held.get();
  }
}
