package io.postino.testing;

import io.postino.cli.Main;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * The command line as an operator runs it: {@code java -cp ... io.postino.cli.Main ARGS} in a
 * process of its own, with the shipped logging configuration (logs on standard error, as from
 * the fat jar), or, where a test polls, in this JVM through picocli with captured output.
 */
public final class ChildCli {

  /** What a run gave: exit status, standard output, standard error. */
  public record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- out:\n" + out + "--- err:\n" + err;
    }
  }

  private ChildCli() {
  }

  /** Runs the command line in a process, in {@code dir}, with {@code stdin} as its input (may be null). */
  public static Result run(Path dir, byte[] stdin, String... args) throws IOException, InterruptedException {
    // the executable jar's logging configuration: logs on standard error, results on standard output
    List<String> command = ChildPostino.command(List.of("-XX:TieredStopAtLevel=1",
        "-Dlogback.configurationFile=" + Path.of("conf/logback.xml").toAbsolutePath()), args);
    Process p = new ProcessBuilder(command).directory(dir.toFile()).start();
    CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
    CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
    try (var in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin);
      }
    }
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("postino " + String.join(" ", args) + " did not finish");
    }
    return new Result(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8),
        new String(err.join(), StandardCharsets.UTF_8));
  }

  private static byte[] readAll(InputStream in) {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      return new byte[0];
    }
  }

  /**
   * Runs the command line in this JVM (relative paths in the configuration must then be
   * absolute: the working directory is the build's).
   */
  public static Result inProcess(String... args) {
    return inProcess(null, args);
  }

  /** {@link #inProcess(String...)} with {@code stdin} as standard input (for {@code send}). */
  public static synchronized Result inProcess(byte[] stdin, String... args) {
    InputStream saved = System.in;
    if (stdin != null) {
      System.setIn(new ByteArrayInputStream(stdin));
    }
    try {
      return execute(args);
    } finally {
      System.setIn(saved);
    }
  }

  private static Result execute(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = new CommandLine(new Main()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  /** {@link #run} with no input. */
  public static Result run(Path dir, String... args) throws IOException, InterruptedException {
    return run(dir, (byte[]) null, args);
  }

  /** {@code text} as standard input. */
  public static byte[] input(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)).readAllBytes();
  }
}
