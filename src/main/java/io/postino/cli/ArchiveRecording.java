package io.postino.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * How {@code postino train} makes the archive its JVM's options name ({@code -XX:SharedArchiveFile},
 * as in {@code conf/jvm.options}): a child JVM of the same Java, with the same options but those
 * naming or making an archive, runs the workload in the same class path and records it: a dynamic
 * class-data archive ({@code -XX:ArchiveClassesAtExit}) before Java 25, an AOT cache
 * ({@code -XX:AOTCacheOutput}, JEP 514, with the method profiles of JEP 515) from Java 25 on.
 * Java 25 reads an AOT cache named by {@code -XX:SharedArchiveFile} too, so one options file
 * serves both. The same options matter: an AOT cache is only used with the garbage collector it
 * was made with. The child writes a file beside the archive, renamed over it when complete, so
 * that a server running with the old one keeps its mapping and a failed run leaves the old one.
 * The child logs warnings and errors only ({@link #TRAINING_LOG}): its servers' line per
 * connection and message is for neither the terminal nor the server's log.
 */
final class ArchiveRecording {

  static final String ARCHIVE = "-XX:SharedArchiveFile=";
  /** The first Java release with {@code -XX:AOTCacheOutput}. */
  static final int AOT_CACHE_RELEASE = 25;

  /** The child's logging configuration, a resource of the jar: warnings and errors, on standard error. */
  static final String TRAINING_LOG = "-Dlogback.configurationFile=io/postino/cli/train-logback.xml";

  private static final List<String> NOT_PASSED_ON = List.of(ARCHIVE, "-Xshare:", "-XX:ArchiveClassesAtExit=",
      "-XX:AOTCache=", "-XX:AOTCacheOutput=", "-XX:AOTMode=", "-XX:AOTConfiguration=", "-XX:+AutoCreateSharedArchive",
      "-Dlogback.configurationFile=");

  private ArchiveRecording() {
  }

  /** The archive the JVM options name (the last one, as the JVM takes it), or null. */
  static Path archive(List<String> jvmOptions) {
    Path archive = null;
    for (String option : jvmOptions) {
      if (option.startsWith(ARCHIVE) && option.length() > ARCHIVE.length()) {
        archive = Path.of(option.substring(ARCHIVE.length()));
      }
    }
    return archive;
  }

  /** What the archive of {@code release} is, for messages. */
  static String kind(int release) {
    return release >= AOT_CACHE_RELEASE ? "an AOT cache of Java " + release : "a class-data archive of Java " + release;
  }

  /**
   * The child JVM's command: {@code java}, the options but those naming or making an archive and
   * the logging configuration, the option that records one into {@code output} for {@code release}
   * (its warnings about classes it leaves out silenced), {@link #TRAINING_LOG}, the class path, and
   * {@code train} with {@code trainArguments}.
   */
  static List<String> command(Path java, int release, List<String> jvmOptions, String classPath, Path output,
      List<String> trainArguments) {
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    for (String option : jvmOptions) {
      if (NOT_PASSED_ON.stream().noneMatch(option::startsWith)) {
        command.add(option);
      }
    }
    if (release >= AOT_CACHE_RELEASE) {
      command.add("-XX:AOTCacheOutput=" + output);
      command.add("-Xlog:aot*=error,cds*=error");
    } else {
      command.add("-XX:ArchiveClassesAtExit=" + output);
      command.add("-Xlog:cds*=error");
    }
    command.add(TRAINING_LOG);
    command.addAll(List.of("-cp", classPath, Main.class.getName(), "train", "--in-process"));
    command.addAll(trainArguments);
    return command;
  }

  /** Runs {@code command} (its output to this one's), then puts what it wrote at {@code archive}. */
  static void record(List<String> command, Path output, Path archive) throws CommandFailure, InterruptedException {
    int exit;
    try {
      exit = new ProcessBuilder(command).inheritIO().start().waitFor();
    } catch (IOException e) {
      throw new CommandFailure(ExitCodes.SOFTWARE, "cannot start " + command.get(0) + ": " + e.getMessage());
    }
    try {
      if (exit != 0 || !Files.isRegularFile(output)) {
        Files.deleteIfExists(output);
        throw new CommandFailure(exit != 0 ? exit : ExitCodes.SOFTWARE,
            "the training JVM " + (exit != 0 ? "failed (exit status " + exit + ")" : "wrote no archive")
                + ": " + archive + " was not " + (Files.exists(archive) ? "replaced" : "made"));
      }
      Files.move(output, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new CommandFailure(ExitCodes.IO_ERROR, "cannot put the archive at " + archive + ": " + e.getMessage());
    }
  }
}
