package io.postino.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one temp-file-and-rename, as the spool's journal and {@link AtomicFiles} use it. */
class DurableFilesTest {

  @TempDir
  Path dir;

  private static ByteBuffer bytes(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
  }

  private long filesIn(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.count();
    }
  }

  @Test
  void replacesTheTargetWholeOwnerOnlyAndLeavesNoTemporaryFile() throws Exception {
    Path target = Files.writeString(dir.resolve("target"), "old content, longer than the new");
    ByteBuffer content = bytes("new");

    DurableFiles.replace(dir.resolve(".target.tmp"), target, false, true, content);

    assertEquals("new", Files.readString(target));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
    assertEquals(1, filesIn(dir), "the temporary file is gone");
    assertEquals(0, content.position(), "the buffer is left as it was");
  }

  @Test
  void aLeftoverTemporaryFileIsReplacedOnlyWhenAskedTo() throws Exception {
    Path target = dir.resolve("target");
    Path temporary = Files.writeString(dir.resolve("target.tmp"), "someone else's");

    assertThrows(FileAlreadyExistsException.class,
        () -> DurableFiles.replace(temporary, target, false, true, bytes("new")));
    assertEquals("someone else's", Files.readString(temporary), "not ours: neither written nor deleted");
    assertFalse(Files.exists(target));

    DurableFiles.replace(temporary, target, true, true, bytes("new"));
    assertEquals("new", Files.readString(target));
    assertFalse(Files.exists(temporary));
  }

  @Test
  void aFailedRenameLeavesTheTargetAndNoTemporaryFile() throws Exception {
    // a directory with an entry cannot be replaced by a file
    Path target = Files.createDirectory(dir.resolve("target"));
    Files.writeString(target.resolve("inside"), "x");

    assertThrows(IOException.class, () -> DurableFiles.replace(dir.resolve("target.tmp"), target, false, true,
        bytes("new")));

    assertFalse(Files.exists(dir.resolve("target.tmp")));
    assertEquals(1, filesIn(target));
  }

  @Test
  void atomicFilesWritesSecretsOwnerOnlyAndOthersAsTheUmaskSays() throws Exception {
    Path secret = dir.resolve("conf").resolve("users");
    Path certificate = dir.resolve("conf").resolve("cert.pem");

    AtomicFiles.write(secret, "alice:hash\n".getBytes(StandardCharsets.US_ASCII), true);
    AtomicFiles.write(certificate, "PEM".getBytes(StandardCharsets.US_ASCII), false);
    AtomicFiles.write(secret, "bob:hash\n".getBytes(StandardCharsets.US_ASCII), true);

    assertArrayEquals("bob:hash\n".getBytes(StandardCharsets.US_ASCII), Files.readAllBytes(secret));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)));
    assertEquals("PEM", Files.readString(certificate));
    assertEquals(2, filesIn(dir.resolve("conf")), "no temporary file is left");
  }
}
