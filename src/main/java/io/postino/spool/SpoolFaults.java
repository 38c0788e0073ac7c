package io.postino.spool;

import java.io.IOException;

/**
 * A test seam: failures injected where the spool's own code hands a message or a removal to the
 * disk, so that tests can see what a client is told and what survives when a write or an fsync
 * fails (a real EIO or fsync error is hard to provoke on demand). The spool runs with
 * {@link #NONE}, which costs a field read per commit or sync, never per octet.
 *
 * <p>The journal's and the group commit's own file operations are not covered: they have theirs.
 */
interface SpoolFaults {

  /** Where a failure may be injected. */
  enum Point {
    /** A message's content is written to its file (or handed to the journal). */
    CONTENT_WRITE,
    /** A message's written content is about to be made durable. */
    MESSAGE_SYNC,
    /** A shared sync of the spool (a directory, the journal's done records) runs. */
    SPOOL_SYNC
  }

  SpoolFaults NONE = (point, queueId) -> { };

  /** Throws the injected failure, if any, for {@code point} ({@code queueId} null for a spool sync). */
  void check(Point point, String queueId) throws IOException;
}
