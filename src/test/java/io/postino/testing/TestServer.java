package io.postino.testing;

import io.postino.Postino;
import io.postino.PostinoInternals;
import io.postino.PostinoOptions;
import io.postino.server.auth.UsersFile;
import io.postino.spool.QueueFilter;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A Postino on 127.0.0.1 port 0 with its spool and Maildir in a test's temporary directory.
 * The configuration starts from test-friendly values; {@link #config} lets a test change any of it
 * before {@link #start()}. Hermetic by default: every remote domain is routed to 127.0.0.1 port 1,
 * where nothing listens, and retried only after an hour, so mail for remote domains stays in the
 * spool and no test asks the real DNS; tests of outbound delivery set their own routes.
 */
public final class TestServer implements AutoCloseable {

  public final Path dir;
  public final JsonObject config;
  public Vertx vertx;
  public Postino postino;
  private final BlockingQueue<JsonObject> inbound = new LinkedBlockingQueue<>();
  private final BlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();
  private volatile boolean closed;

  public TestServer(Path dir) {
    this.dir = dir;
    this.config = new JsonObject()
        .put("hostname", "mx.test.example")
        .put("smtp", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("instances", 2))
        .put("localDomains", new JsonArray().add("local.example").add("other.example"))
        .put("trustedNetworks", new JsonArray().add("127.0.0.0/8"))
        .put("spool", new JsonObject().put("directory", dir.resolve("spool").toString()))
        .put("maildir", new JsonObject().put("root", dir.resolve("maildir").toString()))
        .put("auth", new JsonObject().put("usersFile", dir.resolve("users").toString()))
        .put("dns", new JsonObject()
            .put("servers", new JsonArray().add("127.0.0.1:1"))
            .put("routes", new JsonObject().put("*", "127.0.0.1:1")))
        .put("queue", new JsonObject().put("minBackoff", 3600).put("maxBackoff", 3600));
  }

  public JsonObject dns() {
    return config.getJsonObject("dns");
  }

  public JsonObject queue() {
    return config.getJsonObject("queue");
  }

  public JsonObject smtp() {
    return config.getJsonObject("smtp");
  }

  /** The "auth" object of the configuration. */
  public JsonObject auth() {
    return config.getJsonObject("auth");
  }

  /** The "tls" object of the configuration, created on first use. */
  public JsonObject tls() {
    if (!config.containsKey("tls")) {
      config.put("tls", new JsonObject());
    }
    return config.getJsonObject("tls");
  }

  /** Turns on the submission listener (587-style) on a free port. */
  public TestServer withSubmission() {
    config.put("submission", new JsonObject().put("enabled", true).put("port", 0));
    return this;
  }

  /** Turns on the implicit-TLS listener (465-style) on a free port. */
  public TestServer withSmtps() {
    config.put("smtps", new JsonObject().put("enabled", true).put("port", 0));
    return this;
  }

  /** No client address is trusted: relaying needs AUTH. */
  public TestServer untrusted() {
    config.put("trustedNetworks", new JsonArray());
    return this;
  }

  /** Adds a user to the users file, with the lowest bcrypt cost so that tests stay fast. */
  public TestServer addUser(String name, String password) {
    try {
      UsersFile.put(dir.resolve("users"), name, UsersFile.hash(password, 4), null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  public TestServer start() {
    vertx = Vertx.vertx();
    vertx.eventBus().<JsonObject>consumer("postino.inbound", m -> inbound.add(m.body())).completion().await();
    vertx.eventBus().<JsonObject>consumer("postino.delivery.events", m -> events.add(m.body())).completion().await();
    postino = Postino.start(vertx, new PostinoOptions(config)).await();
    return this;
  }

  /** The next event published on postino.inbound (local delivery done), waiting up to 20 s. */
  public JsonObject nextInbound() {
    try {
      JsonObject e = inbound.poll(20, TimeUnit.SECONDS);
      if (e == null) {
        throw new AssertionError("no postino.inbound event within 20 s");
      }
      return e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The next event published on postino.delivery.events, waiting up to 20 s. */
  public JsonObject nextEvent() {
    try {
      JsonObject e = events.poll(20, TimeUnit.SECONDS);
      if (e == null) {
        throw new AssertionError("no postino.delivery.events event within 20 s");
      }
      return e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The next delivery event about one recipient, skipping events about others. */
  public JsonObject nextEventFor(String recipient) {
    while (true) {
      JsonObject e = nextEvent();
      if (recipient.equals(e.getJsonObject("result").getString("recipient"))) {
        return e;
      }
    }
  }

  /** No further inbound event arrived: a short, bounded check used after the last expected one. */
  public JsonObject pollInbound(long millis) throws InterruptedException {
    return inbound.poll(millis, TimeUnit.MILLISECONDS);
  }

  public int port() {
    return postino.smtpPort();
  }

  public int submissionPort() {
    return postino.submissionPort();
  }

  public int smtpsPort() {
    return postino.smtpsPort();
  }

  public SmtpTestClient connect() throws IOException {
    SmtpTestClient c = new SmtpTestClient(port());
    SmtpTestClient.expect(c.read(), 220);
    return c;
  }

  /** A TLS connection to the implicit-TLS listener, greeting read. */
  public SmtpTestClient connectSmtps() throws IOException {
    SmtpTestClient c = SmtpTestClient.implicitTls(smtpsPort());
    SmtpTestClient.expect(c.read(), 220);
    return c;
  }

  /** The envelope (JSON) of a spool file, as the server wrote it. */
  public static JsonObject spooledEnvelope(Path spoolFile) {
    try {
      byte[] bytes = Files.readAllBytes(spoolFile);
      int nl = 0;
      while (bytes[nl] != '\n') {
        nl++;
      }
      String first = new String(bytes, 0, nl, java.nio.charset.StandardCharsets.US_ASCII);
      int length = Integer.parseInt(first.split(" ")[1]);
      return new JsonObject(new String(bytes, nl + 1, length, java.nio.charset.StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A message's file in the spool's {@code incoming}, written first if the spool keeps the message
   * in memory (as it does a small one until it needs a file).
   */
  public Path spoolFile(String queueId) {
    PostinoInternals.spool(postino).materialize(queueId).await();
    return dir.resolve("spool").resolve("incoming").resolve(queueId);
  }

  /** The files delivered to one mailbox's new/ directory. */
  public List<Path> mailbox(String domain, String user) {
    return files(dir.resolve("maildir").resolve(domain).resolve(user).resolve("new"));
  }

  /**
   * The messages waiting in the spool: its files in {@code incoming}, those it keeps in memory
   * written first (as a listing for the operator does), while the server runs. Empty only when
   * the queue had no message in memory before and after the listing: a round may spool a report
   * (kept in memory) and remove its message between the listing's writing of kept messages and
   * its reading of the directory, so an empty listing alone does not mean a drained spool.
   */
  public List<Path> spooled() {
    Path incoming = dir.resolve("spool").resolve("incoming");
    if (postino == null || closed) {
      return files(incoming);
    }
    // bounded: a test that deleted a file under a round would otherwise wait here for good
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      int activeBefore = postino.queue().activeCount();
      PostinoInternals.spool(postino).list(QueueFilter.ALL, Set.of()).await();
      List<Path> found = files(incoming);
      if (!found.isEmpty() || activeBefore == 0 && postino.queue().activeCount() == 0
          || System.nanoTime() > giveUp) {
        return found;
      }
      // a message between memory and disk, or one whose file is gone and whose round is ending
    }
  }

  public static List<Path> files(Path d) {
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(d)) {
      return s.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Waits until a condition holds: for effects that finish after the reply the client sees
   * (local delivery follows the 250), polled at a short interval with a generous bound.
   */
  public static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    if (vertx != null) {
      vertx.close().await();
    }
  }
}
