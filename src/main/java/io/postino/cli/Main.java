package io.postino.cli;

import io.postino.Postino;
import io.postino.ConfigurationFile;
import io.postino.PostinoOptions;
import io.postino.config.ConfigException;
import io.postino.config.Overrides;
import io.postino.config.StartupException;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;

/** The command line of the fat jar: {@code java -jar postino.jar [-conf FILE]} runs the server. */
@Command(name = "postino", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    subcommands = {CheckConfigCommand.class, RouteCommand.class, UsersCommand.class, QueueCommand.class,
        StatusCommand.class, SendCommand.class, DkimCommand.class, TrainCommand.class, HelpCommand.class},
    description = "A reactive, non-blocking SMTP server on Vert.x.")
public final class Main implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  public static final String DEFAULT_CONFIG = "conf/postino.json";

  /** Netty's switch for its JFR events, off by default here (see {@link #main}). */
  private static final String NETTY_JFR = "io.netty.jfr.enabled";

  @Option(names = {"-conf", "--conf"}, paramLabel = "FILE",
      description = "JSON configuration file (default: " + DEFAULT_CONFIG + " when it exists, else built-in defaults)")
  Path conf;

  @Option(names = {"-cluster", "--cluster"},
      description = "join a Hazelcast cluster (the \"cluster\" object of the configuration)")
  boolean cluster;

  public static void main(String[] args) {
    // Netty's buffer allocator declares JFR events, and the first chunk it makes after a start sets
    // up the JVM's JFR metadata on that event loop: a restart's first delivery came 0.3-0.7 s later
    // (measured). -Dio.netty.jfr.enabled=true keeps the events for a recording.
    if (System.getProperty(NETTY_JFR) == null) {
      System.setProperty(NETTY_JFR, "false");
    }
    // exits explicitly: after a graceful stop, threads of libraries could otherwise keep the JVM up
    System.exit(new CommandLine(new Main()).execute(args));
  }

  /** {@code --version}: the version the build recorded. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"Postino " + Postino.version()};
    }
  }

  /** The exit status for a configuration that cannot be read ({@code EX_CONFIG}). */
  public static final int CONFIG_ERROR = 78;

  /**
   * The configuration every command reads: the file given with {@code -conf}, else
   * {@value #DEFAULT_CONFIG} when it exists, else the built-in defaults (an empty object); with
   * the {@code POSTINO_*} environment variables and {@code postino.*} system properties over it
   * ({@link Overrides}).
   *
   * @param explicit the {@code -conf} file, or null
   * @throws ConfigException naming the file or the override that is wrong
   */
  public static JsonObject readConfig(Path explicit) throws IOException {
    Path file = explicit != null ? explicit : Path.of(DEFAULT_CONFIG);
    JsonObject json;
    if (explicit == null && !Files.exists(file)) {
      json = new JsonObject();
    } else {
      try {
        json = new JsonObject(Files.readString(file));
      } catch (IOException e) {
        throw new ConfigException("configuration file " + file + ": " + StartupException.reason(e, -1));
      } catch (DecodeException e) {
        throw new ConfigException("configuration file " + file + ": not a JSON object: " + e.getMessage());
      }
    }
    Map<String, String> properties = new HashMap<>();
    System.getProperties().forEach((k, v) -> properties.put(String.valueOf(k), String.valueOf(v)));
    return Overrides.apply(json, ConfigurationFile.knownKeys(), System.getenv(), properties);
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
    Vertx vertx;
    try {
      vertx = cluster ? config.getCluster().clusteredVertx().await() : Vertx.vertx();
    } catch (RuntimeException e) {
      JsonObject c = config.getCluster().toJson();
      System.err.println("postino: cannot start: " + StartupException.listener("cluster member", c.getString("host"),
          c.getInteger("port"), e).getMessage());
      return CONFIG_ERROR;
    }
    // The handlers come before the listeners open: a HUP sent as soon as the port answers would
    // otherwise find the JVM's own, which exits. A signal during the start acts once it is over.
    CompletableFuture<Postino> running = new CompletableFuture<>();
    CountDownLatch stopped = new CountDownLatch(1);
    Signals.onReload(() -> running.thenAccept(this::reload));
    Signals.onStop(() -> running.thenAccept(postino -> {
      // a graceful stop: the JVM exits 0 once it is over (see Signals)
      try {
        postino.close().transform(ar -> vertx.close()).await();
      } finally {
        stopped.countDown();
      }
    }));
    try {
      running.complete(Postino.start(vertx, config).await());
    } catch (Exception e) {
      System.err.println("postino: cannot start: " + e.getMessage());
      vertx.close().await();
      return e instanceof IllegalArgumentException || e instanceof StartupException ? CONFIG_ERROR : 1;
    }
    stopped.await();
    return 0;
  }

  /** SIGHUP: the configuration file again; one that does not read leaves the running configuration as it is. */
  private void reload(Postino postino) {
    String file = conf != null ? conf.toString() : DEFAULT_CONFIG;
    PostinoOptions next;
    try {
      next = new PostinoOptions(readConfig(conf));
    } catch (IOException | RuntimeException e) {
      log.error("SIGHUP: {} not reloaded, the running configuration stays: {}", file, e.getMessage());
      return;
    }
    log.info("SIGHUP: reloading {}", file);
    postino.reload(next).onFailure(e ->
        log.error("SIGHUP: {} not reloaded, the running configuration stays: {}", file, e.getMessage()));
  }
}
