package io.postino.spool;

import io.postino.authres.AuthResult;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Header fields that go in front of a message's content once all of it has been written, computed
 * from that content as it streams into the spool (a DKIM signature): see
 * {@link Spool#create(Envelope, Buffer, LeadingHeaders)}. Called on the writer's context.
 */
public interface LeadingHeaders {

  /** Content on its way to the spool, in order, the writer's preamble first; read, never kept. */
  void update(ByteBuffer content);

  /**
   * All content is written: the header fields (CRLF-terminated lines) to put in front of it, or
   * null for none. The message is committed once this completes, on the writer's context wherever
   * it completes; it should not fail (a failure counts as nothing to add).
   */
  Future<Buffer> complete();

  /**
   * The sender authentication results that the fields given by {@link #complete()} record (an
   * {@code Authentication-Results:} field's), once it has completed; empty for none. They go with
   * the committed message ({@link SpooledMessage#authResults()}).
   */
  default List<AuthResult> authResults() {
    return List.of();
  }
}
