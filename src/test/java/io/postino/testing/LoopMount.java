package io.postino.testing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A small ext4 file system of its own, on a loop-mounted image file, for tests that need a disk
 * that really fills up. Mounting needs root, {@code mkfs.ext4} and loop devices: where any of
 * them is missing, {@link #ext4} aborts the calling test with an assumption failure that says why.
 */
public final class LoopMount implements AutoCloseable {

  public final Path mountPoint;
  private final Path work;

  private LoopMount(Path work, Path mountPoint) {
    this.work = work;
    this.mountPoint = mountPoint;
  }

  /** Formats an image of {@code bytes} under {@code work} (no blocks reserved for root) and mounts it. */
  public static LoopMount ext4(Path work, long bytes) throws IOException, InterruptedException {
    Path image = work.resolve("fs.img");
    Path mountPoint = Files.createDirectories(work.resolve("mnt"));
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
      f.setLength(bytes);
    }
    String failed = run("mkfs.ext4", "-q", "-F", "-m", "0", image.toString());
    String why = failed != null ? failed : run("mount", "-o", "loop", image.toString(), mountPoint.toString());
    Assumptions.assumeTrue(why == null,
        () -> "skipped: cannot mount a loop ext4 image (needs root, mkfs.ext4 and loop devices): " + why);
    return new LoopMount(work, mountPoint);
  }

  /**
   * Fills the file system with one file until it refuses even one more octet (halving the size of
   * the writes down to one), and syncs it, so that the next write anywhere on it fails. Deleting
   * the returned file frees the space again.
   */
  public Path fill() throws IOException {
    Path filler = mountPoint.resolve("filler");
    try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (int size = 1 << 16; size > 0; size /= 2) {
        ByteBuffer chunk = ByteBuffer.allocate(size);
        try {
          while (true) {
            chunk.clear();
            while (chunk.hasRemaining()) {
              ch.write(chunk);
            }
          }
        } catch (IOException e) {
          if (!String.valueOf(e.getMessage()).contains("No space left")) {
            throw e;
          }
        }
      }
      ch.force(true);
    }
    return filler;
  }

  /**
   * Shuts the file system down as after a failing disk (the {@code FS_IOC_SHUTDOWN} ioctl of
   * xfstests' {@code godown}, here through Python since Java cannot call ioctl): from now on every
   * operation on it fails with EIO, until {@link #remount}. Aborts the test where it cannot.
   */
  public void shutDown() throws IOException, InterruptedException {
    String why = run("python3", "-c", "import fcntl, os, struct, sys\n"
        + "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
        // FS_IOC_SHUTDOWN = _IOR('X', 125, __u32); 2 = FS_GOING_FLAGS_NOLOGFLUSH: nothing more reaches the disk
        + "fcntl.ioctl(fd, 0x8004587d, struct.pack('I', 2))\n", mountPoint.toString());
    Assumptions.assumeTrue(why == null, () -> "skipped: cannot shut the file system down: " + why);
  }

  /** Unmounts and mounts the image again: the repair after {@link #shutDown}. */
  public void remount() throws IOException, InterruptedException {
    String why = run("umount", mountPoint.toString());
    if (why == null) {
      why = run("mount", "-o", "loop", work.resolve("fs.img").toString(), mountPoint.toString());
    }
    if (why != null) {
      throw new IOException("cannot remount " + mountPoint + ": " + why);
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    String why = run("umount", mountPoint.toString());
    if (why != null) {
      // still busy: detach now, the kernel finishes when the last file is closed
      why = run("umount", "-l", mountPoint.toString());
    }
    Files.deleteIfExists(work.resolve("fs.img"));
    if (why != null) {
      throw new IOException("cannot unmount " + mountPoint + ": " + why);
    }
  }

  /** Runs a command; null when it succeeded, else what it printed. */
  private static String run(String... command) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
    } catch (IOException e) {
      return command[0] + ": " + e.getMessage();
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return command[0] + " did not finish";
    }
    return p.exitValue() == 0 ? null : String.join(" ", command) + " exited " + p.exitValue() + ": " + output;
  }
}
