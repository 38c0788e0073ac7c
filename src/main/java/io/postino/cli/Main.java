package io.postino.cli;

import io.postino.Postino;
import io.postino.PostinoOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The command line of the fat jar: {@code java -jar postino.jar [-conf FILE]} runs the server. */
@Command(name = "postino", mixinStandardHelpOptions = true, version = "Postino 0.1.0",
    subcommands = {RouteCommand.class, UsersCommand.class, DkimCommand.class},
    description = "A reactive, non-blocking SMTP server on Vert.x.")
public final class Main implements Callable<Integer> {

  public static final String DEFAULT_CONFIG = "conf/postino.json";

  @Option(names = {"-conf", "--conf"}, paramLabel = "FILE",
      description = "JSON configuration file (default: " + DEFAULT_CONFIG + " when it exists, else built-in defaults)")
  Path conf;

  @Option(names = {"-cluster", "--cluster"},
      description = "join a Hazelcast cluster (the \"cluster\" object of the configuration)")
  boolean cluster;

  public static void main(String[] args) {
    int code = new CommandLine(new Main()).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** The exit status for a configuration that cannot be read ({@code EX_CONFIG}). */
  public static final int CONFIG_ERROR = 78;

  /**
   * The configuration every command reads: the file given with {@code -conf}, else
   * {@value #DEFAULT_CONFIG} when it exists, else the built-in defaults (an empty object).
   *
   * @param explicit the {@code -conf} file, or null
   */
  public static JsonObject readConfig(Path explicit) throws IOException {
    Path file = explicit != null ? explicit : Path.of(DEFAULT_CONFIG);
    if (explicit == null && !Files.exists(file)) {
      return new JsonObject();
    }
    return new JsonObject(Files.readString(file));
  }

  @Override
  public Integer call() throws Exception {
    PostinoOptions config;
    try {
      config = new PostinoOptions(readConfig(conf));
    } catch (IOException | RuntimeException e) {
      System.err.println("postino: invalid configuration: " + e.getMessage());
      return CONFIG_ERROR;
    }
    Vertx vertx = cluster
        ? config.getCluster().clusteredVertx().await()
        : Vertx.vertx();
    try {
      Postino.start(vertx, config).await();
    } catch (Exception e) {
      System.err.println("postino: cannot start: " + e.getMessage());
      vertx.close().await();
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      vertx.close().await();
      stopped.countDown();
    }, "postino-shutdown"));
    stopped.await();
    return 0;
  }
}
