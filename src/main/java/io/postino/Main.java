package io.postino;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The command line of the fat jar: {@code java -jar postino.jar [-conf FILE]} runs the server. */
@Command(name = "postino", mixinStandardHelpOptions = true, version = "Postino 0.1.0",
    subcommands = {RouteCommand.class, UsersCommand.class},
    description = "A reactive, non-blocking SMTP server on Vert.x.")
public final class Main implements Callable<Integer> {

  public static final String DEFAULT_CONFIG = "conf/postino.json";

  @Option(names = {"-conf", "--conf"}, paramLabel = "FILE",
      description = "JSON configuration file (default: ${DEFAULT-VALUE}; built-in defaults when it does not exist)")
  Path conf = Path.of(DEFAULT_CONFIG);

  @Option(names = {"-cluster", "--cluster"},
      description = "join a Hazelcast cluster (the \"cluster\" object of the configuration)")
  boolean cluster;

  public static void main(String[] args) {
    int code = new CommandLine(new Main()).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Reads a JSON configuration file; a missing default file means the built-in defaults. */
  static JsonObject readConfig(Path file, boolean mustExist) throws java.io.IOException {
    if (!Files.exists(file) && !mustExist) {
      return new JsonObject();
    }
    return new JsonObject(Files.readString(file));
  }

  @Override
  public Integer call() throws Exception {
    boolean explicit = !conf.equals(Path.of(DEFAULT_CONFIG));
    JsonObject json = readConfig(conf, explicit);
    PostinoConfig config = new PostinoConfig(json);
    Vertx vertx = cluster
        ? new ClusterOptions(json.getJsonObject("cluster", new JsonObject())).clusteredVertx().await()
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
