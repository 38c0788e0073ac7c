package io.postino.spool;

import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A spool directory taken and given back: opening takes its lock ({@link SpoolLock}) and does the
 * quick part of its recovery ({@link SpoolRecovery#begin}); closing checkpoints the journal
 * ({@link SpoolJournal#close}), so that a clean stop leaves nothing to replay, and then releases
 * the lock. Blocking: on workers.
 */
final class SpoolOpening {

  private static final Logger log = LoggerFactory.getLogger(SpoolOpening.class);

  /** An open directory: its folders, its lock, and the recovery still to finish. */
  record Opened(SpoolFolders folders, SpoolLock lock, SpoolRecovery recovery) {
  }

  private SpoolOpening() {
  }

  /** Takes the lock of {@code dir} and begins its recovery; the lock is released if that fails. */
  static Opened open(Path dir) throws IOException {
    Path abs = dir.toAbsolutePath().normalize();
    SpoolLock lock = SpoolLock.acquire(abs);
    try {
      SpoolFolders folders = new SpoolFolders(abs);
      SpoolRecovery recovery = SpoolRecovery.begin(folders, SpoolJournal.SEGMENT_OCTETS, SpoolJournal.SEGMENT_MILLIS);
      return new Opened(folders, lock, recovery);
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  /**
   * Checkpoints {@code journal} and releases {@code lock}. A checkpoint that fails leaves the
   * journal to the next start's replay, as a crash would.
   */
  static void close(Path dir, SpoolJournal journal, SpoolLock lock) throws IOException {
    try {
      journal.close();
    } catch (IOException | RuntimeException e) {
      log.warn("spool {}: journal not checkpointed as the spool closed, the next start replays it: {}", dir,
          e.toString());
    } finally {
      lock.close();
    }
  }
}
