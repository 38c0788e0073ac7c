package io.postino.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The power-cut model keeps what was synced and nothing else. */
class PowerCutFileSystemTest {

  @TempDir
  Path real;

  PowerCutFileSystem fs;
  Path a;
  Path b;

  @BeforeEach
  void model() throws Exception {
    Files.createDirectory(real.resolve("a"));
    Files.createDirectory(real.resolve("b"));
    Files.writeString(real.resolve("a/old"), "there before");
    fs = PowerCutFileSystem.over(real);
    a = fs.root().resolve("a");
    b = fs.root().resolve("b");
  }

  private static void fsync(Path p) throws Exception {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  private static void write(Path file, String text, boolean sync) throws Exception {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
      if (sync) {
        ch.force(false);
      }
    }
  }

  private void powerCut() throws Exception {
    fs.restore(fs.image());
  }

  @Test
  void whatWasThereBeforeSurvives() throws Exception {
    powerCut();
    assertEquals("there before", Files.readString(a.resolve("old")));
  }

  @Test
  void aNewFileNeedsItsDataAndItsDirectorySynced() throws Exception {
    write(a.resolve("unsynced"), "x", false);
    write(a.resolve("data only"), "x", true);
    fsync(a);
    write(a.resolve("entry only"), "y", false);
    write(a.resolve("data only"), "more", false);
    write(a.resolve("late"), "z", true);

    powerCut();

    assertEquals("", Files.readString(a.resolve("unsynced")), "its name was synced, never its data");
    assertEquals("x", Files.readString(a.resolve("data only")), "what was written after the sync is lost");
    assertFalse(Files.exists(a.resolve("entry only")));
    assertFalse(Files.exists(a.resolve("late")), "data synced, name never");
  }

  @Test
  void aDeletionNeedsItsDirectorySynced() throws Exception {
    Files.delete(a.resolve("old"));
    powerCut();
    assertTrue(Files.exists(a.resolve("old")));

    Files.delete(a.resolve("old"));
    fsync(a);
    powerCut();
    assertFalse(Files.exists(a.resolve("old")));
  }

  @Test
  void aRenameBetweenDirectoriesIsOneTransaction() throws Exception {
    Files.move(a.resolve("old"), b.resolve("new"), StandardCopyOption.ATOMIC_MOVE);
    powerCut();
    assertTrue(Files.exists(a.resolve("old")));
    assertFalse(Files.exists(b.resolve("new")));

    Files.move(a.resolve("old"), b.resolve("new"), StandardCopyOption.ATOMIC_MOVE);
    fsync(b);
    powerCut();
    assertFalse(Files.exists(a.resolve("old")), "the fsync of either directory commits both halves");
    assertArrayEquals("there before".getBytes(StandardCharsets.US_ASCII), Files.readAllBytes(b.resolve("new")));
  }

  @Test
  void imagesAreRecordedAtEverySyncAndTheHookSeesEveryOperation() throws Exception {
    List<String> seen = new ArrayList<>();
    fs.onOperation(op -> seen.add(op.kind() + " " + op.path().getFileName()));
    fs.recordImages();
    write(a.resolve("f"), "1", true);
    fsync(a);

    assertEquals(List.of("create f", "write f", "force f", "force a"), seen);
    assertEquals(3, fs.images().size());
    fs.restore(fs.images().get(1));
    assertFalse(Files.exists(a.resolve("f")));
    fs.restore(fs.images().get(2));
    assertEquals("1", Files.readString(a.resolve("f")));
  }
}
