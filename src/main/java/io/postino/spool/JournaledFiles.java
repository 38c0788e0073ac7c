package io.postino.spool;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The own files of the messages the journal holds, known to the journal by queue id only: where
 * they are (a queue, a hold) is the spool's business. Blocking.
 */
interface JournaledFiles {

  /** fdatasyncs a message's file wherever it is; false when it is nowhere (gone). */
  boolean sync(String queueId) throws IOException;

  /**
   * Syncs a message's file where it is, or rewrites it whole from {@code content} (the whole file,
   * as journaled) when it is missing or not whole; true when it was rewritten.
   */
  boolean restore(String queueId, ByteBuffer content) throws IOException;

  /** Makes the entries of the folders holding message files durable (after syncs, rewrites, removals). */
  void syncFolders() throws IOException;
}
