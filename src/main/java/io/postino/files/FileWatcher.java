package io.postino.files;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls back when any of a few files changes: Vert.x has no file watching, so a periodic timer
 * compares each file's modification time, size and identity (a rename over it gives a new inode) on
 * a worker. Used for the TLS certificate, the users file, the alias file and the DKIM keys, which
 * operators replace while the server runs.
 *
 * <p>A change counts once the next check finds the files as the last one did: a file written in
 * place (truncated, then written) can be seen between the two, and an empty or half alias file
 * reads as a valid one. So a change is acted on one interval late, and never half way.
 */
public final class FileWatcher {

  private static final Logger log = LoggerFactory.getLogger(FileWatcher.class);

  /** What identifies one version of a file; all null when it does not exist. */
  private record Stamp(Object modified, Long size, Object key) {
    static final Stamp ABSENT = new Stamp(null, null, null);
  }

  /** The state of the watched files at one moment; take it before reading them. */
  public static final class Snapshot {
    private final List<Stamp> stamps;

    private Snapshot(List<Stamp> stamps) {
      this.stamps = stamps;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Snapshot s && s.stamps.equals(stamps);
    }

    @Override
    public int hashCode() {
      return stamps.hashCode();
    }
  }

  private final Vertx vertx;
  private final List<Path> files;
  private final Runnable onChange;
  private final long timerId;
  private Snapshot last;
  /** A state that differs from {@link #last}, seen by the last check: acted on if the next sees it too. */
  private Snapshot changed;
  private boolean checking;

  private FileWatcher(Vertx vertx, List<Path> files, Duration interval, Snapshot initial, Runnable onChange) {
    this.vertx = vertx;
    this.files = List.copyOf(files);
    this.onChange = onChange;
    this.last = initial;
    this.timerId = vertx.setPeriodic(Math.max(1, interval.toMillis()), id -> check());
  }

  /**
   * Starts watching. {@code initial} is the snapshot taken before the files were last read, so a
   * change made while they were being read is still noticed.
   */
  public static FileWatcher watch(Vertx vertx, List<Path> files, Duration interval, Snapshot initial,
      Runnable onChange) {
    return new FileWatcher(vertx, files, interval, Objects.requireNonNull(initial), onChange);
  }

  /** The current state of the files. Blocking: call on a worker. */
  public static Snapshot snapshot(List<Path> files) {
    List<Stamp> stamps = new ArrayList<>(files.size());
    for (Path f : files) {
      try {
        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
        stamps.add(new Stamp(a.lastModifiedTime(), a.size(), a.fileKey()));
      } catch (NoSuchFileException e) {
        stamps.add(Stamp.ABSENT);
      } catch (IOException e) {
        log.debug("cannot read the attributes of {}: {}", f, e.toString());
        stamps.add(Stamp.ABSENT);
      }
    }
    return new Snapshot(stamps);
  }

  /** Compares the files with what the last check saw; completes once any callback has run. */
  Future<Void> check() {
    if (checking) {
      return Future.succeededFuture();
    }
    checking = true;
    return vertx.executeBlocking(() -> snapshot(files), false).map(now -> {
      checking = false;
      if (now.equals(last)) {
        changed = null;
      } else if (now.equals(changed)) {
        last = now;
        changed = null;
        onChange.run();
      } else {
        changed = now;
      }
      return (Void) null;
    }).onFailure(e -> checking = false);
  }

  public void close() {
    vertx.cancelTimer(timerId);
  }
}
