package io.postino.cli;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code postino train}: a short, real mail workload ({@link TrainingWorkload}) for the JVM to
 * record what a server loads and runs, so that a server started with that record starts and
 * relays a full queue sooner. Run with the server's options ({@code java @conf/jvm.options -jar
 * target/postino.jar train}), whose {@code -XX:SharedArchiveFile} names the archive, it makes that
 * archive in a child JVM ({@link ArchiveRecording}); run without one, the workload runs in this
 * JVM, for whatever recording options it was given.
 */
@Command(name = "train", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.USAGE,
    description = {"Make the class-data archive (Java 17) or AOT cache (Java 25) that the JVM options name with "
        + "-XX:SharedArchiveFile, from a short mail workload on 127.0.0.1 (accept, local delivery, relay, "
        + "and a restart that relays a full queue):",
        "  java @conf/jvm.options -jar target/postino.jar train",
        "Without such an option, runs the workload in this JVM."},
    exitCodeListHeading = "Exit status:%n",
    exitCodeList = {"0:every message was delivered and relayed (and the archive made)", "64:invalid command line",
        "70:a message was refused, deferred or bounced where it should have been delivered, or not delivered in time,"
            + " or the training JVM made no archive",
        "74:the temporary directory cannot be made, or the archive not put in place"})
final class TrainCommand implements Callable<Integer> {

  @Option(names = "--messages", paramLabel = "N", defaultValue = "2000",
      description = "messages to submit, each delivered here and relayed, and as many to relay after a restart "
          + "(default: ${DEFAULT-VALUE})")
  int messages;

  @Option(names = "--sessions", paramLabel = "N", defaultValue = "8",
      description = "concurrent SMTP sessions submitting them (default: ${DEFAULT-VALUE})")
  int sessions;

  @Option(names = "--directory", paramLabel = "DIR",
      description = "where the temporary spools and mailboxes go (default: the system's temporary directory)")
  Path directory;

  /** Set on the child JVM that records: the workload, whatever the options say. */
  @Option(names = "--in-process", hidden = true)
  boolean inProcess;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      if (messages < 1 || sessions < 1) {
        throw new CommandFailure(ExitCodes.USAGE, "--messages and --sessions must be at least 1");
      }
      List<String> jvmOptions = ManagementFactory.getRuntimeMXBean().getInputArguments();
      Path archive = inProcess ? null : ArchiveRecording.archive(jvmOptions);
      if (archive == null) {
        long millis = new TrainingWorkload(messages, sessions).run(
            directory != null ? directory : Path.of(System.getProperty("java.io.tmpdir")));
        out.printf("postino: trained: %d messages accepted, delivered and relayed, %d more relayed from a full queue"
            + " after a restart, in %d ms%n", messages, messages, millis);
        return ExitCodes.OK;
      }
      int release = Runtime.version().feature();
      Path output = archive.resolveSibling(archive.getFileName() + ".tmp");
      List<String> arguments = new ArrayList<>(List.of("--messages", String.valueOf(messages),
          "--sessions", String.valueOf(sessions)));
      if (directory != null) {
        arguments.addAll(List.of("--directory", directory.toString()));
      }
      ArchiveRecording.record(ArchiveRecording.command(Path.of(System.getProperty("java.home"), "bin", "java"),
          release, jvmOptions, System.getProperty("java.class.path"), output, arguments), output, archive);
      out.printf("postino: wrote %s, %s for %s: servers started with %s%s use it%n", archive,
          ArchiveRecording.kind(release), System.getProperty("java.class.path"), ArchiveRecording.ARCHIVE, archive);
      return ExitCodes.OK;
    } catch (CommandFailure e) {
      err.println("postino: " + e.getMessage());
      return e.exitCode();
    } finally {
      out.flush();
      err.flush();
    }
  }
}
