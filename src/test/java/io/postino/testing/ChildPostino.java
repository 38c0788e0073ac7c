package io.postino.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Postino in a JVM of its own, as {@code java -cp ... io.postino.cli.Main -conf FILE} runs it, so a
 * test can kill it with SIGKILL and start it again on the same spool.
 */
public final class ChildPostino implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("listening for SMTP on \\S+:(\\d+) ");

  private final Process process;
  private final int port;
  private final StringBuilder output;

  private ChildPostino(Process process, int port, StringBuilder output) {
    this.process = process;
    this.port = port;
    this.output = output;
  }

  /**
   * A configuration for a child server: SMTP on a free port of 127.0.0.1, local domain
   * {@code local.example}, spool and Maildir under {@code dir}; TLS and AUTH off (not under test
   * where this is used, and making a certificate costs each start a moment).
   */
  public static JsonObject config(Path dir) {
    return new JsonObject()
        .put("hostname", "mx.test.example")
        .put("smtp", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("localDomains", new JsonArray().add("local.example"))
        .put("spool", new JsonObject().put("directory", dir.resolve("spool").toString()))
        .put("maildir", new JsonObject().put("root", dir.resolve("maildir").toString()))
        .put("tls", new JsonObject().put("enabled", false))
        .put("auth", new JsonObject().put("enabled", false));
  }

  /** Writes {@code config} to {@code dir/postino.json} and returns that file. */
  public static Path write(Path dir, JsonObject config) throws IOException {
    Path conf = dir.resolve("postino.json");
    Files.writeString(conf, config.encodePrettily());
    return conf;
  }

  /** Starts Postino and returns once it listens. */
  public static ChildPostino start(Path conf) throws Exception {
    return start(command(List.of(), "-conf", conf.toString()), Map.of());
  }

  /**
   * The command line of a child JVM: {@code java [jvmOptions] -cp ... io.postino.cli.Main [args]}.
   *
   * @param jvmOptions such as {@code -Dpostino.smtp.port=0}
   */
  public static List<String> command(List<String> jvmOptions, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("io.postino.cli.Main");
    command.addAll(List.of(args));
    return command;
  }

  /** What a command that runs to its end printed (standard output and error together), and its exit status. */
  public record Result(int exitCode, String output) {
  }

  /** Runs a command to its end (at most a minute), with {@code env} added to the environment. */
  public static Result run(List<String> command, Map<String, String> env) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process p = builder.start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("still running after a minute: " + new String(out, StandardCharsets.UTF_8));
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  /** Starts Postino with this command line and {@code env} added to the environment; returns once it listens. */
  public static ChildPostino start(List<String> command, Map<String, String> env) throws Exception {
    return start(command, env, null);
  }

  /**
   * Starts a Postino that does not listen for SMTP (a delivery node, say); returns once it has
   * written {@code ready}. Its {@link #port()} is -1.
   */
  public static ChildPostino startUntil(List<String> command, String ready) throws Exception {
    return start(command, Map.of(), ready);
  }

  private static ChildPostino start(List<String> command, Map<String, String> env, String ready) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process p = builder.start();
    CompletableFuture<Integer> port = new CompletableFuture<>();
    StringBuilder output = new StringBuilder();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          synchronized (output) {
            output.append(line).append('\n');
            output.notifyAll();
          }
          Matcher m = LISTENING.matcher(line);
          if (ready != null && line.contains(ready)) {
            port.complete(-1);
          } else if (ready == null && m.find()) {
            port.complete(Integer.parseInt(m.group(1)));
          }
        }
        port.completeExceptionally(new AssertionError("server exited before it was ready:\n" + output));
      } catch (Exception e) {
        port.completeExceptionally(e);
      }
    });
    reader.setDaemon(true);
    reader.start();
    try {
      // a minute is plenty for a JVM alone; a clustered one joining on a busy machine takes longer
      return new ChildPostino(p, port.get(ready == null ? 60 : 180, TimeUnit.SECONDS), output);
    } catch (Exception e) {
      p.destroyForcibly();
      throw e;
    }
  }

  public int port() {
    return port;
  }

  /** SIGTERM: a graceful stop. (Process.destroy() would also close the pipe the output comes through.) */
  public void terminate() {
    process.toHandle().destroy();
  }

  /**
   * Whether this JVM, and so every child it starts, ignores SIGHUP: a parent left it ignored (as
   * {@code nohup} does), and a signal ignored at a JVM's start stays ignored. Linux only.
   */
  public static boolean hangUpIgnored() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseUnsignedLong(line.substring("SigIgn:".length()).strip(), 16) & 1) != 0;
      }
    }
    return false;
  }

  /** SIGHUP: a reload of the configuration file. */
  public void hangUp() throws Exception {
    signal("HUP");
  }

  private void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new AssertionError("kill -" + name + " failed");
    }
  }

  /** Waits (at most a minute) for the process to exit, and returns its exit status. */
  public int exitCode() throws InterruptedException {
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new AssertionError("still running after a minute:\n" + output());
    }
    return process.exitValue();
  }

  /** Waits (at most a minute) until the process has written {@code text}. */
  public void awaitOutput(String text) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    synchronized (output) {
      while (output.indexOf(text) < 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("never wrote \"" + text + "\":\n" + output);
        }
        TimeUnit.NANOSECONDS.timedWait(output, left);
      }
    }
  }

  /** SIGKILL: the process gets no chance to clean up. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
  }

  /** What the process wrote so far. */
  public String output() {
    synchronized (output) {
      return output.toString();
    }
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}
