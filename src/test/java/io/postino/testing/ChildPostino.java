package io.postino.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        "io.postino.cli.Main", "-conf", conf.toString())
        .redirectErrorStream(true)
        .start();
    CompletableFuture<Integer> port = new CompletableFuture<>();
    StringBuilder output = new StringBuilder();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          synchronized (output) {
            output.append(line).append('\n');
          }
          Matcher m = LISTENING.matcher(line);
          if (m.find()) {
            port.complete(Integer.parseInt(m.group(1)));
          }
        }
        port.completeExceptionally(new AssertionError("server exited before listening:\n" + output));
      } catch (Exception e) {
        port.completeExceptionally(e);
      }
    });
    reader.setDaemon(true);
    reader.start();
    try {
      return new ChildPostino(p, port.get(60, TimeUnit.SECONDS), output);
    } catch (Exception e) {
      p.destroyForcibly();
      throw e;
    }
  }

  public int port() {
    return port;
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
