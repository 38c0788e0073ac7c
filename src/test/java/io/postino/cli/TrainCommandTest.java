package io.postino.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.ChildCli;
import io.postino.testing.ChildCli.Result;
import io.postino.testing.ChildPostino;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code postino train}: the workload run in this JVM (every message accepted, delivered here and
 * relayed, live and after a restart, nothing left behind), and how it makes the archive its JVM
 * options name: the child JVM's command for Java 17 and Java 25, what that JVM prints, and the
 * archive put in place only when that JVM made one.
 */
class TrainCommandTest {

  @TempDir
  Path dir;

  @Test
  void theWorkloadDeliversAndRelaysEveryMessageAndLeavesNothingBehind() throws Exception {
    Path work = dir.resolve("work");
    Result r = ChildCli.inProcess("train", "--messages", "12", "--sessions", "3", "--directory", work.toString());
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("trained: 12 messages accepted, delivered and relayed, 12 more relayed from a full"
        + " queue after a restart, in "), r.toString());
    try (Stream<Path> left = Files.list(work)) {
      assertEquals(List.of(), left.toList());
    }
  }

  @Test
  void noMessagesIsAUsageError() {
    Result r = ChildCli.inProcess("train", "--messages", "0");
    assertEquals(ExitCodes.USAGE, r.exit(), r.toString());
    assertTrue(r.err().contains("--messages and --sessions must be at least 1"), r.toString());
  }

  @Test
  void theArchiveIsTheLastOneTheOptionsName() {
    assertEquals(Path.of("b.jsa"), ArchiveRecording.archive(
        List.of("-Xmx1g", "-XX:SharedArchiveFile=a.jsa", "-Xshare:auto", "-XX:SharedArchiveFile=b.jsa")));
    assertNull(ArchiveRecording.archive(List.of("-Xmx1g", "-XX:SharedArchiveFile=")));
  }

  @Test
  void theTrainingJvmKeepsTheOptionsButTheArchiveOnesAndRecordsForItsRelease() {
    List<String> options = List.of("-Xms256m", "-XX:SharedArchiveFile=target/postino.jsa", "-Xshare:auto",
        "-XX:+UseSerialGC", "-XX:AOTCache=old.aot", "-Dx=y", "-Dlogback.configurationFile=/etc/postino/logback.xml");
    List<String> train = List.of("--messages", "5");
    assertEquals(List.of("/jdk17/bin/java", "-Xms256m", "-XX:+UseSerialGC", "-Dx=y",
            "-XX:ArchiveClassesAtExit=target/postino.jsa.tmp", "-Xlog:cds*=error",
            "-Dlogback.configurationFile=io/postino/cli/train-logback.xml",
            "-cp", "target/postino.jar", "io.postino.cli.Main", "train", "--in-process", "--messages", "5"),
        ArchiveRecording.command(Path.of("/jdk17/bin/java"), 17, options, "target/postino.jar",
            Path.of("target/postino.jsa.tmp"), train));
    assertEquals(List.of("/jdk25/bin/java", "-Xms256m", "-XX:+UseSerialGC", "-Dx=y",
            "-XX:AOTCacheOutput=target/postino.jsa.tmp", "-Xlog:aot*=error,cds*=error",
            "-Dlogback.configurationFile=io/postino/cli/train-logback.xml",
            "-cp", "target/postino.jar", "io.postino.cli.Main", "train", "--in-process", "--messages", "5"),
        ArchiveRecording.command(Path.of("/jdk25/bin/java"), 25, options, "target/postino.jar",
            Path.of("target/postino.jsa.tmp"), train));
  }

  @Test
  void theTrainingJvmPrintsItsResultAndNotItsServersLog() throws Exception {
    // as the parent starts it, but for the recording option (which wants the class path in jars)
    ChildPostino.Result r = ChildPostino.run(ChildPostino.command(List.of(ArchiveRecording.TRAINING_LOG),
        "train", "--in-process", "--messages", "4", "--sessions", "2", "--directory", dir.resolve("work").toString()),
        Map.of());
    assertEquals(0, r.exitCode(), r.output());
    // standard output and error together: the result line, no line per session or message, and no
    // warning about the connection limit the descriptor limit would have lowered
    assertEquals(List.of("postino: trained: 4 messages accepted, delivered and relayed, 4 more relayed from a full"
            + " queue after a restart"),
        r.output().lines().map(l -> l.replaceAll(", in \\d+ ms$", "")).toList(), r.output());
  }

  @Test
  void whatTheTrainingJvmWroteReplacesTheArchive() throws Exception {
    Path archive = dir.resolve("postino.jsa");
    Path output = dir.resolve("postino.jsa.tmp");
    Files.writeString(archive, "old");
    ArchiveRecording.record(List.of("sh", "-c", "echo new > " + output), output, archive);
    assertEquals("new\n", Files.readString(archive));
    assertFalse(Files.exists(output));
  }

  @Test
  void aFailedTrainingJvmLeavesTheOldArchive() throws Exception {
    Path archive = dir.resolve("postino.jsa");
    Path output = dir.resolve("postino.jsa.tmp");
    Files.writeString(archive, "old");
    CommandFailure failed = assertThrows(CommandFailure.class,
        () -> ArchiveRecording.record(List.of("sh", "-c", "echo partial > " + output + "; exit 3"), output, archive));
    assertEquals(3, failed.exitCode());
    assertTrue(failed.getMessage().contains("was not replaced"), failed.getMessage());
    assertEquals("old", Files.readString(archive));
    assertFalse(Files.exists(output));
    CommandFailure none = assertThrows(CommandFailure.class,
        () -> ArchiveRecording.record(List.of("true"), output, archive));
    assertEquals(ExitCodes.SOFTWARE, none.exitCode());
  }
}
