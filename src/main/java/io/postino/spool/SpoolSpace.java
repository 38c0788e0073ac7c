package io.postino.spool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The free space of the spool's file system against the reserve ({@code spool.minFreeSpace}):
 * measured off the event loop (when the spool opens, then periodically and before each health
 * check), read by every MAIL command as a plain field, so that no session makes a system call for
 * it. Thread-safe.
 */
public final class SpoolSpace {

  /** Postfix's {@code queue_minfree} in spirit: room for a few maximum-size messages and the journal. */
  public static final long DEFAULT_MIN_FREE_SPACE = 100L << 20;

  private final Path dir;
  private volatile long reserve = DEFAULT_MIN_FREE_SPACE;
  /** Until the first measure, room is assumed: the spool opening measures before anyone asks. */
  private volatile long usable = Long.MAX_VALUE;

  SpoolSpace(Path dir) {
    this.dir = dir;
  }

  /** Blocking: asks the file system for the space an unprivileged write may use, and keeps it. */
  public long measure() throws IOException {
    long now = Files.getFileStore(dir).getUsableSpace();
    usable = now;
    return now;
  }

  /** The octets free at the last {@link #measure}. */
  public long usable() {
    return usable;
  }

  public long reserve() {
    return reserve;
  }

  public void setReserve(long octets) {
    if (octets < 0) {
      throw new IllegalArgumentException("minFreeSpace must not be negative: " + octets);
    }
    this.reserve = octets;
  }

  /**
   * Whether a message of {@code declaredSize} octets (RFC 1870 SIZE; -1 or 0 when not declared)
   * fits while keeping the reserve free, as last measured.
   */
  public boolean hasRoom(long declaredSize) {
    return usable - Math.max(0, declaredSize) >= reserve;
  }

  /**
   * Whether a failure of the spool came from a full file system (ENOSPC, which Java reports only
   * in the message), looking through causes and suppressed failures.
   */
  public static boolean isOutOfSpace(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof IOException && String.valueOf(t.getMessage()).contains("No space left on device")) {
        return true;
      }
      for (Throwable s : t.getSuppressed()) {
        if (isOutOfSpace(s)) {
          return true;
        }
      }
    }
    return false;
  }
}
