package io.postino.spool;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

/**
 * Streams one message's content into its spool file with back-pressure: write, and when
 * {@link #writeQueueFull()} pause the source until the drain handler runs.
 */
public interface SpoolWriter {

  Future<Void> write(Buffer content);

  boolean writeQueueFull();

  SpoolWriter drainHandler(Handler<Void> handler);

  /** Octets of content written so far. */
  long contentLength();

  /**
   * Makes the message durable: flushes, fsyncs (in a group commit), renames into
   * {@code incoming} and fsyncs the directory. Completes only after all of that.
   */
  Future<SpooledMessage> commit();

  /** Gives the message up: closes and deletes the temporary file. */
  Future<Void> abort();
}
