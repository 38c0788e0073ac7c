package io.postino.spool;

import java.io.IOException;
import java.nio.file.Path;

/** The spool directory is in use: a server runs on it (or, for a server, another one does). */
public final class SpoolLockedException extends IOException {

  private static final long serialVersionUID = 1L;

  private final transient Path directory;

  SpoolLockedException(Path directory) {
    super("spool directory " + directory + " is in use by another Postino process (lock held on "
        + directory.resolve(SpoolLock.FILE_NAME) + ")");
    this.directory = directory;
  }

  /** The spool directory, absolute. */
  public Path directory() {
    return directory;
  }
}
