package io.postino.spool;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What the operator's figures and health checks ask the spool, each on a worker: how many
 * messages wait where and since when, whether a file can still be written and synced, and the
 * free space against the reserve ({@link SpoolSpace}).
 */
public final class SpoolFigures {

  /**
   * The spool's messages: in {@code incoming} (being delivered or waiting for a retry) and on hold;
   * {@code oldestMillis} is when the oldest of them was made (by its queue id), 0 when none.
   */
  public record Census(int incoming, int held, long oldestMillis) {
  }

  private final Vertx vertx;
  private final SpoolFolders folders;
  private final SpoolSpace space;

  SpoolFigures(Vertx vertx, SpoolFolders folders) {
    this.vertx = vertx;
    this.folders = folders;
    this.space = new SpoolSpace(folders.root);
  }

  public SpoolSpace space() {
    return space;
  }

  /** Measures the free space again (on a worker); completes with the octets free. */
  public Future<Long> measureSpace() {
    return vertx.executeBlocking(space::measure, false);
  }

  /**
   * Counts the messages in the spool: one listing of {@code incoming} and one of {@code hold}, and
   * the resident messages, in {@code incoming} without a file (one that gets its file during the
   * listing may be counted twice: a figure, not a promise).
   */
  public Future<Census> census() {
    return vertx.executeBlocking(() -> {
      long[] oldest = {Long.MAX_VALUE};
      int incoming = count(folders.incoming, oldest);
      for (String id : folders.residents.ids()) {
        incoming++;
        made(id, oldest);
      }
      int held = count(folders.hold, oldest);
      return new Census(incoming, held, oldest[0] == Long.MAX_VALUE ? 0 : oldest[0]);
    }, false);
  }

  private static int count(Path dir, long[] oldest) throws IOException {
    int n = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path file : entries) {
        n++;
        made(file.getFileName().toString(), oldest);
      }
    }
    return n;
  }

  private static void made(String queueId, long[] oldest) {
    long made = QueueIds.madeAt(queueId);
    if (made > 0 && made < oldest[0]) {
      oldest[0] = made;
    }
  }

  /**
   * Whether the spool takes a write: creates a file in {@code tmp}, writes and fdatasyncs an octet
   * and deletes it, as a message's first steps do. Fails with the file system's error.
   */
  public Future<Void> probeWrite() {
    return vertx.executeBlocking(() -> {
      Path probe = folders.tmp.resolve("health-" + Thread.currentThread().getId() + "-" + System.nanoTime());
      try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(new byte[] {'\n'}));
        ch.force(false);
      } finally {
        Files.deleteIfExists(probe);
      }
      return null;
    }, false);
  }
}
