package io.postino.spool;

import static io.postino.spool.SpoolTesting.await;
import static io.postino.spool.SpoolTesting.awaitFailure;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.PowerCutFileSystem;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failed fdatasync of a journal segment (issue #12): the segment is suspect, since the kernel may
 * have dropped what it could not write and a later fdatasync may then succeed without it. It is
 * never synced again and trusted; the messages whose clients hear 451 never come back, whatever
 * state a power cut leaves ({@link PowerCutFileSystem}), and those acknowledged before stay.
 */
@ExtendWith(VertxExtension.class)
class JournalSyncFailureTest {

  @TempDir
  Path dir;

  PowerCutFileSystem fs;
  Path incoming;
  SpoolJournal journal;

  @BeforeEach
  void journal() throws Exception {
    Path real = Files.createDirectory(dir.resolve("spool"));
    for (String sub : List.of("tmp", "incoming", "hold")) {
      Files.createDirectory(real.resolve(sub));
    }
    fs = PowerCutFileSystem.over(real);
    incoming = fs.root().resolve("incoming");
    journal = open(fs);
  }

  private static SpoolJournal open(PowerCutFileSystem fs) throws IOException {
    return SpoolRecovery.recover(fs.root());
  }

  private static byte[] content(String id) {
    return ("Subject: " + id + "\r\n\r\nbody of " + id + "\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  private static SpoolJournal.Entry entry(String id) {
    return new SpoolJournal.Entry(id, new ByteBuffer[] {ByteBuffer.wrap(content(id))});
  }

  private Path onlySegment() throws IOException {
    try (Stream<Path> files = Files.list(fs.root().resolve("journal"))) {
      List<Path> all = files.toList();
      assertEquals(1, all.size(), "segments: " + all);
      return all.get(0);
    }
  }

  /**
   * Fails the first fdatasync of {@code segment} from now on, and counts those after it.
   *
   * @return the number of fdatasyncs of the segment after the failed one
   */
  private AtomicInteger failFirstSyncOf(Path segment, AtomicBoolean failed) {
    AtomicInteger after = new AtomicInteger();
    String name = segment.getFileName().toString();
    fs.onOperation(op -> {
      if (op.kind().equals("force") && op.path().getFileName().toString().equals(name)) {
        if (failed.compareAndSet(false, true)) {
          throw new UncheckedIOException(new IOException("Input/output error (injected)"));
        }
        after.incrementAndGet();
      }
    });
    return after;
  }

  /** Recovers from the state a power cut now would leave, and checks what the clients were told. */
  private void powerCutNowKeeps(String acknowledged, String refused) throws Exception {
    PowerCutFileSystem check = PowerCutFileSystem.over(Files.createDirectory(dir.resolve("check")));
    check.restore(fs.image());
    open(check);
    Path in = check.root().resolve("incoming");
    assertTrue(Files.exists(in.resolve(acknowledged)), acknowledged + " was acknowledged: it must survive");
    assertArrayEquals(content(acknowledged), Files.readAllBytes(in.resolve(acknowledged)));
    assertFalse(Files.exists(in.resolve(refused)), refused + " was refused: it must not come back");
  }

  @Test
  void aSegmentWhoseSyncFailedIsAbandonedNeverSyncedAgain() throws Exception {
    // AAA is acknowledged: its records synced, its file written without a sync of its own
    journal.published(journal.append(List.of(entry("AAA"))));
    Files.write(incoming.resolve("AAA"), content("AAA"));
    Path segment = onlySegment();
    AtomicBoolean failed = new AtomicBoolean();
    AtomicInteger syncsAfter = failFirstSyncOf(segment, failed);

    assertThrows(UncheckedIOException.class, () -> journal.append(List.of(entry("BBB"))));

    assertTrue(failed.get());
    assertEquals(0, syncsAfter.get(), "a segment whose fdatasync failed is not synced again and trusted");
    assertFalse(Files.exists(segment), "the suspect segment is abandoned");
    assertFalse(journal.isJournaled("AAA"), "AAA's own file carries it now");
    powerCutNowKeeps("AAA", "BBB");
    // the journal goes on in a new segment
    journal.published(journal.append(List.of(entry("CCC"))));
    assertTrue(journal.isJournaled("CCC"));
  }

  @Test
  void aFailedBatchStaysGoneWhenTheSyncOfItsDoneRecordsFails(Vertx vertx) throws Exception {
    GroupCommitter committer = new GroupCommitter(vertx, incoming, journal);
    await(committer.commitJournaled(incoming.resolve("AAA"), entry("AAA").file()));
    Path segment = onlySegment();
    AtomicBoolean failed = new AtomicBoolean();
    AtomicInteger syncsAfter = new AtomicInteger();
    fs.onOperation(op -> {
      String name = op.path().getFileName().toString();
      // BBB reaches the journal, then writing its file fails: the client hears 451...
      if (op.kind().equals("create") && name.equals("BBB")) {
        throw new UncheckedIOException(new IOException("No space left on device (injected)"));
      }
      // ...and the sync of its done record fails too
      if (op.kind().equals("force") && name.equals(segment.getFileName().toString())) {
        if (failed.get()) {
          syncsAfter.incrementAndGet();
        } else if (syncingDoneRecords()) {
          failed.set(true);
          throw new UncheckedIOException(new IOException("Input/output error (injected)"));
        }
      }
    });

    Throwable refused = awaitFailure(committer.commitJournaled(incoming.resolve("BBB"), entry("BBB").file()));

    assertNotNull(refused);
    assertTrue(failed.get(), "the done record's sync was failed");
    assertEquals(0, syncsAfter.get(), "a segment whose fdatasync failed is not synced again and trusted");
    assertFalse(Files.exists(incoming.resolve("BBB")));
    powerCutNowKeeps("AAA", "BBB");
  }

  /** Whether the journal is syncing done records (not an append). */
  private static boolean syncingDoneRecords() {
    return StackWalker.getInstance().walk(frames -> frames.anyMatch(f -> f.getClassName().equals(SpoolJournal.class.getName())
        && (f.getMethodName().equals("sync") || f.getMethodName().equals("done"))));
  }
}
