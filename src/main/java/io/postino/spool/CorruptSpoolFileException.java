package io.postino.spool;

import java.io.IOException;

/**
 * A message file that cannot be read back whole: a bad header, or content that does not match the
 * length or checksum its header records. The spool moved it to {@code corrupt} if it could.
 */
public final class CorruptSpoolFileException extends IOException {

  private static final long serialVersionUID = 1L;

  private final String queueId;
  private final String reason;

  CorruptSpoolFileException(String queueId, String reason) {
    super("corrupt spool file " + queueId + ": " + reason);
    this.queueId = queueId;
    this.reason = reason;
  }

  public String queueId() {
    return queueId;
  }

  public String reason() {
    return reason;
  }
}
