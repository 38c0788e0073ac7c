package io.postino.cli;

import io.postino.Postino;
import io.postino.PostinoOptions;
import io.postino.bus.DeliveryEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The work {@code postino train} does in its JVM: Postinos on 127.0.0.1 ports of their own, with
 * spools and Maildirs in a temporary directory deleted afterwards, running the paths a server runs,
 * to completion in a few seconds. The configuration is built in; a server's own is neither read
 * nor touched. Two parts, {@code messages} submitted over SMTP for each:
 * <ol>
 *   <li>Live: each message to the first node, which delivers it to a Maildir of its own and relays
 *       it (STARTTLS included) to a second, which delivers it to its Maildir.
 *   <li>A restart on a full queue, what {@code benchmarks/load/coldstart.sh} measures: each message
 *       for a domain whose route leads to a listener that closes every connection, so the queuing
 *       node defers them all; that node is stopped, a new one started on its spool with the route
 *       to a third node that offers no STARTTLS (as many servers), the queue flushed, and every
 *       message relayed there in plaintext: recovery of the spool, the queue's scan and take-in of
 *       due messages, content read back from disk, connections reused.
 * </ol>
 * Every message must arrive: a relaying node's deferral or bounce ends the training with an error.
 */
final class TrainingWorkload {

  private static final String LOCAL = "local.train";
  private static final String REMOTE = "relay.train";
  private static final String PLAIN = "plain.train";
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

  /** The workload on {@code vertx}, its files in {@code work} (left there); how long the mail took, in ms. */
  long run(Vertx vertx, Path work) throws CommandFailure, InterruptedException {
    Postino second = Postino.start(vertx, new PostinoOptions(node(work.resolve("second"), "train-second", REMOTE,
        new JsonObject(), true))).await();
    Postino third = Postino.start(vertx, new PostinoOptions(node(work.resolve("third"), "train-third", PLAIN,
        new JsonObject(), false))).await();
    long started = System.nanoTime();
    live(vertx, work.resolve("first"), second.smtpPort());
    restarted(vertx, work.resolve("queued"), third.smtpPort());
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    second.close().await();
    third.close().await();
    return millis;
  }

  /** Part one: every message delivered on the first node and relayed to the second, which delivers it too. */
  private void live(Vertx vertx, Path dir, int secondPort) throws CommandFailure, InterruptedException {
    JsonObject config = node(dir, "train-first", LOCAL, routes(REMOTE, secondPort), true);
    try (Arrivals arrivals = new Arrivals(vertx).delivered("train-first", messages).delivered("train-second", messages)
        .results("train-first", DeliveryEvent.Type.DELIVERED, 2 * messages)) {
      Postino first = Postino.start(vertx, new PostinoOptions(config)).await();
      submit(first.smtpPort(), List.of("user@" + LOCAL, "user@" + REMOTE));
      arrivals.await(DEADLINE_SECONDS);
      first.close().await();
    }
  }

  /** Part two: every message deferred, then relayed to the third node by a node restarted on that spool. */
  private void restarted(Vertx vertx, Path dir, int thirdPort) throws CommandFailure, InterruptedException {
    // the destination is down: it closes every connection before its greeting, a temporary failure
    NetServer down = vertx.createNetServer().connectHandler(NetSocket::close).listen(0, "127.0.0.1").await();
    try (Arrivals arrivals = new Arrivals(vertx).results("train-queued", DeliveryEvent.Type.DEFERRED, messages)) {
      Postino queuing = Postino.start(vertx, new PostinoOptions(
          node(dir, "train-queued", LOCAL, routes(PLAIN, down.actualPort()), true))).await();
      submit(queuing.smtpPort(), List.of("user@" + PLAIN));
      arrivals.await(DEADLINE_SECONDS);
      queuing.close().await();
    } finally {
      down.close().await();
    }
    try (Arrivals arrivals = new Arrivals(vertx).delivered("train-third", messages)
        .results("train-queued", DeliveryEvent.Type.DELIVERED, messages)) {
      Postino restarted = Postino.start(vertx, new PostinoOptions(
          node(dir, "train-queued", LOCAL, routes(PLAIN, thirdPort), true))).await();
      restarted.queue().flush().await();
      arrivals.await(DEADLINE_SECONDS);
      restarted.close().await();
    }
  }

  private static JsonObject routes(String domain, int port) {
    return new JsonObject().put(domain, "127.0.0.1:" + port);
  }

  /** A node: its own port, spool, Maildir, event-bus prefix and local domain; remote domains routed; STARTTLS or not. */
  private JsonObject node(Path dir, String prefix, String domain, JsonObject routes, boolean tls) {
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
        .put("tls", new JsonObject().put("enabled", tls))
        .put("dns", new JsonObject().put("servers", new JsonArray().add("127.0.0.1:1")).put("routes", routes));
  }

  /** The messages over SMTP, {@link #sessions} at a time, each to these recipients. */
  private void submit(int port, List<String> recipients) throws CommandFailure, InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(sessions);
    AtomicInteger next = new AtomicInteger();
    try {
      List<Future<Void>> done = new ArrayList<>();
      for (int s = 0; s < sessions; s++) {
        done.add(pool.submit(() -> {
          for (int i = next.getAndIncrement(); i < messages; i = next.getAndIncrement()) {
            try (SmtpSubmission smtp = new SmtpSubmission("127.0.0.1", port)) {
              smtp.submit("train.invalid", "trainer@train.invalid", recipients,
                  new MessageInput(new ByteArrayInputStream(message(i, recipients)), true));
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
  private static byte[] message(int i, List<String> recipients) {
    StringBuilder text = new StringBuilder("From: <trainer@train.invalid>\r\nTo: <" + String.join(">, <", recipients)
        + ">\r\nSubject: training " + i + "\r\nMessage-ID: <" + i + "@train.invalid>\r\n\r\n");
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
