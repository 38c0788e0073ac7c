package io.postino.cli;

import io.postino.Postino;
import io.postino.PostinoOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The work {@code postino train} does in its JVM: two Postinos on 127.0.0.1 ports of their own,
 * with spools and Maildirs in a temporary directory deleted afterwards. Messages are submitted
 * over SMTP to the first, which delivers each to a Maildir of its own and relays it (STARTTLS
 * included) to the second, which delivers it to its Maildir: the paths a server runs, started
 * and run to completion in a few seconds. The configuration is built in; a server's own is
 * neither read nor touched.
 */
final class TrainingWorkload {

  private static final String LOCAL = "local.train";
  private static final String REMOTE = "relay.train";
  private static final int DEADLINE_SECONDS = 600;
  private static final int MAX_CONNECTIONS = 500;

  private final int messages;
  private final int sessions;

  TrainingWorkload(int messages, int sessions) {
    this.messages = messages;
    this.sessions = sessions;
  }

  /** Runs it in a new temporary directory inside {@code parent}; returns how long the mail took, in ms. */
  long run(Path parent) throws CommandFailure, InterruptedException {
    Path work;
    try {
      work = Files.createTempDirectory(Files.createDirectories(parent), "postino-train");
    } catch (IOException e) {
      throw new CommandFailure(ExitCodes.IO_ERROR, "cannot make a temporary directory in " + parent + ": " + e);
    }
    Vertx vertx = Vertx.vertx();
    try {
      return run(vertx, work);
    } finally {
      vertx.close().await();
      delete(work);
    }
  }

  private long run(Vertx vertx, Path work) throws CommandFailure, InterruptedException {
    // every message twice: delivered on the first node, and on the second after the relay
    CountDownLatch delivered = new CountDownLatch(2 * messages);
    Postino second = start(vertx, node(work.resolve("second"), "train-second", REMOTE, new JsonObject()), delivered);
    Postino first = start(vertx, node(work.resolve("first"), "train-first", LOCAL,
        new JsonObject().put(REMOTE, "127.0.0.1:" + second.smtpPort())), delivered);
    long started = System.nanoTime();
    submit(first.smtpPort());
    if (!delivered.await(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
      throw new CommandFailure(ExitCodes.SOFTWARE, delivered.getCount() + " of " + 2 * messages
          + " deliveries not done within " + DEADLINE_SECONDS + " s");
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    first.close().await();
    second.close().await();
    return millis;
  }

  /** A node: its own port, spool, Maildir, event-bus prefix and local domain; the remote domain routed. */
  private JsonObject node(Path dir, String prefix, String domain, JsonObject routes) {
    int maxConnections = Math.max(MAX_CONNECTIONS, 2 * sessions);
    return new JsonObject()
        .put("hostname", prefix + ".invalid")
        // a limit of its own, far more than the workload's sessions and the relay open: one derived from
        // the descriptor limit would come with a warning about servers that are not the operator's
        .put("smtp", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("maxConnections", maxConnections))
        .put("localDomains", new JsonArray().add(domain))
        .put("trustedNetworks", new JsonArray().add("127.0.0.0/8"))
        .put("eventBus", new JsonObject().put("prefix", prefix))
        .put("spool", new JsonObject().put("directory", dir.resolve("spool").toString()))
        .put("maildir", new JsonObject().put("root", dir.resolve("maildir").toString()))
        // no lookup leaves the machine: nothing answers on port 1, and the one remote domain is routed
        .put("dns", new JsonObject().put("servers", new JsonArray().add("127.0.0.1:1")).put("routes", routes));
  }

  private static Postino start(Vertx vertx, JsonObject config, CountDownLatch delivered) {
    String prefix = config.getJsonObject("eventBus").getString("prefix");
    vertx.eventBus().consumer(prefix + ".inbound", m -> delivered.countDown()).completion().await();
    return Postino.start(vertx, new PostinoOptions(config)).await();
  }

  /** The messages over SMTP, {@link #sessions} at a time, each to a local and a relayed recipient. */
  private void submit(int port) throws CommandFailure, InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(sessions);
    AtomicInteger next = new AtomicInteger();
    try {
      List<Future<Void>> done = new ArrayList<>();
      for (int s = 0; s < sessions; s++) {
        done.add(pool.submit(() -> {
          for (int i = next.getAndIncrement(); i < messages; i = next.getAndIncrement()) {
            try (SmtpSubmission smtp = new SmtpSubmission("127.0.0.1", port)) {
              smtp.submit("train.invalid", "trainer@train.invalid", List.of("user@" + LOCAL, "user@" + REMOTE),
                  new MessageInput(new ByteArrayInputStream(message(i)), true));
            }
          }
          return null;
        }));
      }
      for (Future<Void> f : done) {
        try {
          f.get();
        } catch (ExecutionException e) {
          throw e.getCause() instanceof CommandFailure c ? c
              : new CommandFailure(ExitCodes.SOFTWARE, "submitting a message: " + e.getCause());
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** About 1 KiB, the size most mail is near. */
  private static byte[] message(int i) {
    StringBuilder text = new StringBuilder("From: <trainer@train.invalid>\r\nTo: <user@" + LOCAL + ">, <user@"
        + REMOTE + ">\r\nSubject: training " + i + "\r\nMessage-ID: <" + i + "@train.invalid>\r\n\r\n");
    while (text.length() < 1024) {
      text.append("The quick brown fox jumps over the lazy dog, message ").append(i).append(".\r\n");
    }
    return text.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static void delete(Path dir) throws CommandFailure {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new CommandFailure(ExitCodes.IO_ERROR, "cannot delete " + dir + ": " + e);
    }
  }
}
