package io.postino.spool;

import static io.postino.spool.SpoolTesting.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.files.DurableFiles;
import io.postino.testing.PowerCutFileSystem;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit, checkpoints, removals and the journal's recovery under the power-cut model
 * ({@link PowerCutFileSystem}): a scenario of commits and removals runs against a journal that
 * retires its segment at every append, with a checkpoint injected before each file operation in
 * turn (the interleavings of issue #12, item 1); every state a power cut could leave during each
 * run is then recovered, and must hold every acknowledged message whole, and no message whose
 * removal was durable.
 */
@ExtendWith(VertxExtension.class)
class JournalPowerCutTest {

  @TempDir
  Path dir;

  /** States already recovered with the same expectations: many runs leave the same ones. */
  private final Set<String> verified = new HashSet<>();

  /**
   * What a run acknowledged and durably removed, by the first image that must show it, and the
   * last image taken before each removal started (later ones may or may not hold the message).
   */
  private static final class Run {
    final PowerCutFileSystem fs;
    final Map<String, Integer> acknowledged = new ConcurrentHashMap<>();
    final Map<String, Integer> leaving = new ConcurrentHashMap<>();
    final Map<String, Integer> removed = new ConcurrentHashMap<>();
    int operations;
    volatile boolean injected;
    volatile boolean injectedCheckpointWorked;

    Run(PowerCutFileSystem fs) {
      this.fs = fs;
    }
  }

  private static byte[] content(String id) {
    // a line of the queue id's own, so that a file holding another message's octets shows
    return ("POSTINO1 2\n{}\nSubject: " + id + "\r\n\r\nbody of " + id + "\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void noAcknowledgedMessageIsLostWhereverACheckpointRunsAndThePowerGoes(Vertx vertx) throws Exception {
    Run baseline = run(vertx, "baseline", -1);
    verifyEveryImage(baseline, "baseline", true);
    assertTrue(baseline.fs.images().size() > 20, "the scenario syncs often: " + baseline.fs.images().size());
    int injected = 0;
    for (int at = 0; at < baseline.operations; at++) {
      Run run = run(vertx, "inject" + at, at);
      injected += run.injected ? 1 : 0;
      // a checkpoint that touched no file changed nothing a power cut could find
      if (run.injectedCheckpointWorked) {
        verifyEveryImage(run, "checkpoint before operation " + at, false);
      }
    }
    // most operations run inside a checkpoint or an append, where none can start
    assertTrue(injected >= 10, "checkpoints injected: " + injected + " of " + baseline.operations);
  }

  @Test
  void aCheckpointBetweenADoneRecordAndTheFileDeletionDoesNotBringBackAnEmptyFile() throws Exception {
    Path real = Files.createDirectory(dir.resolve("between"));
    PowerCutFileSystem fs = PowerCutFileSystem.over(real);
    Path root = fs.root();
    Path incoming = root.resolve("incoming");
    SpoolJournal journal = SpoolRecovery.recover(new SpoolFolders(root), 1, Long.MAX_VALUE);
    // acknowledged: journaled, its file written without a sync of its own, its segment retired
    journal.published(journal.append(List.of(new SpoolJournal.Entry("AAA",
        new ByteBuffer[] {ByteBuffer.wrap(content("AAA"))}))));
    Files.write(incoming.resolve("AAA"), content("AAA"));
    // delivered, not durably: its done record, then (after a checkpoint of its segment) its deletion
    journal.done("AAA", false);
    journal.checkpointRetired();
    Files.delete(incoming.resolve("AAA"));

    PowerCutFileSystem check = PowerCutFileSystem.over(Files.createDirectory(dir.resolve("between-check")));
    check.restore(fs.image());
    SpoolRecovery.recover(check.root());
    Path file = check.root().resolve("incoming").resolve("AAA");
    if (Files.exists(file)) {
      assertArrayEquals(content("AAA"), Files.readAllBytes(file), "a message back after a power cut is whole");
    }
  }

  /** The scenario; with {@code injectAt} >= 0, a checkpoint runs before that file operation. */
  private Run run(Vertx vertx, String name, int injectAt) throws Exception {
    Path real = Files.createDirectory(dir.resolve(name));
    for (String sub : List.of("tmp", "incoming", "hold")) {
      Files.createDirectory(real.resolve(sub));
    }
    PowerCutFileSystem fs = PowerCutFileSystem.over(real);
    Path root = fs.root();
    Path incoming = root.resolve("incoming");
    SpoolJournal journal = SpoolRecovery.recover(new SpoolFolders(root), 1, Long.MAX_VALUE);
    GroupCommitter committer = new GroupCommitter(vertx, incoming, journal);
    Run run = new Run(fs);
    AtomicInteger operations = new AtomicInteger();
    fs.onOperation(op -> {
      // not where the journal's own order of locks forbids it (checkpoint, then journal)
      if (operations.getAndIncrement() == injectAt && !insideACheckpoint() && !Thread.holdsLock(journal)) {
        try {
          run.injected = true;
          int before = operations.get();
          journal.checkpointRetired();
          run.injectedCheckpointWorked = operations.get() > before;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    });
    fs.recordImages();

    await(commit(run, committer, incoming, "AAA"));
    // B starts a batch alone, C waits for it and forms the next one
    await(Future.all(commit(run, committer, incoming, "BBB"), commit(run, committer, incoming, "CCC")));
    remove(run, journal, incoming, "AAA", true);
    await(commit(run, committer, incoming, "DDD"));
    remove(run, journal, incoming, "BBB", false);
    await(Future.all(commit(run, committer, incoming, "EEE"), commit(run, committer, incoming, "FFF")));
    remove(run, journal, incoming, "EEE", true);
    // waits for a checkpoint still running, and does what is left
    journal.checkpointRetired();
    run.operations = operations.get();
    return run;
  }

  private static boolean insideACheckpoint() {
    return StackWalker.getInstance().walk(frames -> frames.anyMatch(f -> f.getMethodName().equals("checkpointRetired")));
  }

  private static Future<Void> commit(Run run, GroupCommitter committer, Path incoming, String id) {
    return committer.commitJournaled(incoming.resolve(id), new ByteBuffer[] {ByteBuffer.wrap(content(id))})
        .onSuccess(v -> run.acknowledged.put(id, run.fs.imageCount()));
  }

  /** What {@link Spool#remove} does for a journaled message, in the same order. */
  private static void remove(Run run, SpoolJournal journal, Path incoming, String id, boolean durable)
      throws IOException {
    run.leaving.put(id, run.fs.imageCount());
    journal.done(id, false);
    Files.deleteIfExists(incoming.resolve(id));
    if (durable) {
      journal.sync();
      DurableFiles.fsyncDirectory(incoming);
      run.removed.put(id, run.fs.imageCount());
    }
  }

  /** Recovers every image the run recorded; with {@code nested}, also every image of each recovery. */
  private void verifyEveryImage(Run run, String what, boolean nested) throws Exception {
    PowerCutFileSystem check = PowerCutFileSystem.over(Files.createDirectory(dir.resolve(what.replace(' ', '-') + "-check")));
    PowerCutFileSystem again = nested ? PowerCutFileSystem.over(Files.createDirectory(dir.resolve(what.replace(' ', '-') + "-again"))) : null;
    List<PowerCutFileSystem.Image> images = run.fs.images();
    for (int k = 0; k < images.size(); k++) {
      String at = what + ", power cut at image " + k + " of " + images.size();
      if (!verified.add(expectations(run, k) + images.get(k).digest())) {
        continue;
      }
      check.restore(images.get(k));
      check.recordImages();
      recoverAndVerify(run, check, k, at);
      if (nested) {
        // a second power cut during the recovery: the next start must still find everything
        List<PowerCutFileSystem.Image> during = check.images();
        for (int i = 0; i < during.size(); i++) {
          if (!verified.add(expectations(run, k) + during.get(i).digest())) {
            continue;
          }
          again.restore(during.get(i));
          recoverAndVerify(run, again, k, at + ", and again during recovery at " + i);
        }
      }
    }
  }

  private static String expectations(Run run, int image) {
    return new TreeMap<>(run.acknowledged).entrySet().stream()
        .map(e -> e.getKey() + (e.getValue() > image ? "-" : run.leaving.getOrDefault(e.getKey(), image) < image
            ? (run.removed.getOrDefault(e.getKey(), image + 1) <= image ? "x" : "?") : "+"))
        .collect(Collectors.joining(","));
  }

  private static void recoverAndVerify(Run run, PowerCutFileSystem fs, int image, String at) throws Exception {
    Path root = fs.root();
    Path incoming = root.resolve("incoming");
    SpoolRecovery.recover(root);
    run.acknowledged.forEach((id, since) -> {
      Integer leaving = run.leaving.get(id);
      if (since <= image && (leaving == null || image <= leaving)) {
        try {
          assertTrue(Files.exists(incoming.resolve(id)), at + ": acknowledged " + id + " is lost");
          assertArrayEquals(content(id), Files.readAllBytes(incoming.resolve(id)), at + ": " + id + " is not whole");
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    });
    run.removed.forEach((id, since) -> {
      if (since <= image) {
        assertFalse(Files.exists(incoming.resolve(id)), at + ": durably removed " + id + " is back");
      }
    });
    try (Stream<Path> files = Files.list(incoming)) {
      for (Path file : files.toList()) {
        String id = file.getFileName().toString();
        assertNotNull(run.acknowledged.get(id) == null ? null : id, at + ": " + id + " is none of the scenario's messages");
        byte[] bytes = Files.readAllBytes(file);
        assertEquals(new String(content(id), StandardCharsets.US_ASCII), new String(bytes, StandardCharsets.US_ASCII),
            at + ": a file in incoming is whole");
      }
    }
  }
}
