package io.postino.files;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When a change of a watched file counts: the checks are run by the test, the timer never fires. */
class FileWatcherTest {

  @TempDir
  Path dir;

  private final Vertx vertx = Vertx.vertx();
  private final AtomicInteger changes = new AtomicInteger();
  private FileWatcher watcher;

  @AfterEach
  void tearDown() {
    watcher.close();
    vertx.close().await();
  }

  private void watch(Path file) {
    watcher = FileWatcher.watch(vertx, List.of(file), Duration.ofHours(1), FileWatcher.snapshot(List.of(file)),
        changes::incrementAndGet);
  }

  private void check() {
    watcher.check().await();
  }

  @Test
  void aFileCaughtHalfWrittenIsNotActedOnUntilTwoChecksFindItTheSame() throws Exception {
    Path file = Files.writeString(dir.resolve("aliases"), "sales@example.org: bob@example.org\n");
    watch(file);
    check();
    assertEquals(0, changes.get());

    // an in-place write seen between its truncation and its content
    Files.writeString(file, "");
    check();
    assertEquals(0, changes.get(), "an empty file seen once is not taken for the new version");
    Files.writeString(file, "sales@example.org: bob@example.org\nnew@example.org: alice@example.org\n");
    check();
    assertEquals(0, changes.get(), "it changed again since");
    check();
    assertEquals(1, changes.get());
    check();
    assertEquals(1, changes.get(), "the same version is acted on once");
  }

  @Test
  void aChangeUndoneBeforeTheNextCheckIsNoChange() throws Exception {
    Path file = Files.writeString(dir.resolve("users"), "alice:hash\n");
    watch(file);
    Path aside = dir.resolve("users.old");
    Files.move(file, aside);
    check();
    Files.move(aside, file);
    check();
    check();
    assertEquals(0, changes.get());
  }
}
