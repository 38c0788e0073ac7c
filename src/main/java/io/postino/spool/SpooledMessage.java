package io.postino.spool;

import java.nio.file.Path;

/**
 * A message durably in the spool: its envelope and where its content lies (a byte range of the
 * spool file, which begins with the envelope header).
 */
public record SpooledMessage(Envelope envelope, Path file, long contentOffset, long contentLength) {

  public String queueId() {
    return envelope.queueId();
  }
}
