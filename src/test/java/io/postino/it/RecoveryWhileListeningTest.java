package io.postino.it;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.Postino;
import io.postino.PostinoInternals;
import io.postino.PostinoOptions;
import io.postino.smtp.MailAddress;
import io.postino.smtp.MailParameters;
import io.postino.smtp.RcptParameters;
import io.postino.spool.Envelope;
import io.postino.metrics.SpoolMeters;
import io.postino.spool.Spool;
import io.postino.spool.SpoolTesting;
import io.postino.spool.SpoolWriter;
import io.postino.testing.LogCapture;
import io.postino.testing.SmtpSink;
import io.postino.testing.SmtpTestClient;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restart on a spool that a previous run left full (its journal segments still to replay): the
 * server listens and takes new mail while the recovery is held, and once the recovery is let go
 * every message of the previous run is delivered, as well as the new one; and the spool's
 * listings, held by the recovery, still complete on the context of the queue that asked.
 */
class RecoveryWhileListeningTest {

  private static final int LEFT = 2000;
  private static final Pattern SUBJECT = Pattern.compile("Subject: (\\S+)");

  @TempDir
  Path dir;
  Vertx vertx;
  SmtpSink sink;

  @AfterEach
  void tearDown() {
    if (vertx != null) {
      vertx.close().await();
    }
    if (sink != null) {
      sink.close();
    }
  }

  @Test
  void newMailIsTakenBeforeTheRecoveryEndsAndNothingRecoveredIsLost() throws Exception {
    Path spoolDir = dir.resolve("spool");
    leaveASpool(spoolDir);
    sink = new SmtpSink().start();
    vertx = Vertx.vertx();
    Promise<Void> replay = Promise.promise();
    Future<Postino> started = PostinoInternals.startHoldingRecovery(vertx, options(spoolDir), replay.future());
    // it listens with the whole recovery still to do (before the fix, it started only after it)
    Postino postino = started.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertTrue(Files.list(spoolDir.resolve("journal")).findAny().isPresent(), "the previous run's journal is replayed later");
    try (SmtpTestClient c = new SmtpTestClient(postino.smtpPort())) {
      expect(c.read(), 220);
      expect(c.startData("new@client.example", "bob@remote.example"), 354);
      c.send("Subject: new\r\n\r\ntaken during the recovery\r\n.\r\n");
      expect(c.read(), 250);
    }

    replay.complete();
    Set<String> subjects = new HashSet<>();
    while (subjects.size() < LEFT + 1) {
      Matcher m = SUBJECT.matcher(new String(sink.next().data(), StandardCharsets.US_ASCII));
      if (m.find()) {
        subjects.add(m.group(1));
      }
    }
    Set<String> expected = new HashSet<>();
    expected.add("new");
    for (int i = 0; i < LEFT; i++) {
      expected.add("left-" + i);
    }
    assertEquals(expected, subjects);
  }

  /** What a previous run leaves: LEFT messages for remote.example, written as the listener writes them. */
  private static void leaveASpool(Path spoolDir) {
    Vertx before = Vertx.vertx();
    try {
      Spool spool = Spool.open(before, spoolDir).await();
      List<Future<?>> committed = new ArrayList<>();
      Promise<Void> written = Promise.promise();
      before.runOnContext(v -> {
        for (int i = 0; i < LEFT; i++) {
          Envelope env = new Envelope(spool.newQueueId(), MailAddress.parse("alice@client.example"),
              MailParameters.NONE, List.of(new Envelope.Recipient(MailAddress.parse("bob@remote.example"),
                  RcptParameters.NONE, false)), "client.example", "127.0.0.1", "ESMTP", null, Instant.now());
          SpoolWriter writer = spool.create(env);
          // content and end in one turn, as a client sending its message in one go: the journal
          writer.write(Buffer.buffer("Subject: left-" + i + "\r\n\r\nleft by the previous run\r\n"));
          committed.add(writer.commit());
        }
        Future.all(committed).<Void>mapEmpty().onComplete(written);
      });
      written.future().await();
      // the previous run ends without stopping (a clean stop checkpoints the journal)
      SpoolTesting.crash(spool, spoolDir);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      before.close().await();
    }
  }

  @Test
  void aStopWhileAFullQueueIsBeingReadLeavesWhatWasNotReadForTheNextStart() throws Exception {
    Path spoolDir = dir.resolve("spool");
    leaveASpool(spoolDir);
    sink = new SmtpSink().start();
    vertx = Vertx.vertx();
    PostinoOptions options = options(spoolDir).setShutdownGrace(Duration.ofSeconds(20));
    try (LogCapture logs = new LogCapture()) {
      Postino first = Postino.start(vertx, options).await();
      // the first delivery, with most of the queue still to deliver (and, on a slow machine, some
      // of it not read yet: ActiveWindowTest stops a window at that moment for certain)
      Set<String> subjects = new HashSet<>();
      subjects.add(subject(sink.next()));
      first.close().await();
      // the rounds under way finish within the grace, and a message not read yet is none of them:
      // none is abandoned
      String stopped = logs.await("Postino mx.test.example stopped in");
      assertTrue(stopped.endsWith(" 0 abandoned (left in the spool for the next start)"), stopped);

      Postino.start(vertx, options(spoolDir)).await();
      while (subjects.size() < LEFT) {
        subjects.add(subject(sink.next()));
      }
    }
  }

  private PostinoOptions options(Path spoolDir) {
    return new PostinoOptions(new JsonObject()
        .put("hostname", "mx.test.example")
        .put("smtp", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("localDomains", new JsonArray().add("local.example"))
        .put("trustedNetworks", new JsonArray().add("127.0.0.0/8"))
        .put("spool", new JsonObject().put("directory", spoolDir.toString()))
        .put("maildir", new JsonObject().put("root", dir.resolve("maildir").toString()))
        .put("tls", new JsonObject().put("enabled", false))
        .put("auth", new JsonObject().put("enabled", false))
        .put("dns", new JsonObject().put("servers", new JsonArray().add("127.0.0.1:9"))
            .put("routes", new JsonObject().put("remote.example", "127.0.0.1:" + sink.port()))));
  }

  private static String subject(SmtpSink.Received message) {
    Matcher m = SUBJECT.matcher(new String(message.data(), StandardCharsets.US_ASCII));
    assertTrue(m.find());
    return m.group(1);
  }

  @Test
  void theSpoolAnswersTheQueueOnTheQueuesOwnContextAfterARecovery() throws Exception {
    vertx = Vertx.vertx();
    Promise<Void> replay = Promise.promise();
    Spool spool = Spool.openWhileRecovering(vertx, dir.resolve("spool"), SpoolMeters.none(), 0, replay.future()).await();
    // the queue's state lives on its context: a listing that completed on the context that opened
    // the spool (or let the recovery go) would touch it from another thread
    Context queue = vertx.getOrCreateContext();
    CompletableFuture<Context> answeredOn = new CompletableFuture<>();
    queue.runOnContext(v -> spool.due(Instant.now(), 10, Set.of(), false)
        .onComplete(ar -> answeredOn.complete(Vertx.currentContext())));
    replay.complete();
    assertSame(queue, answeredOn.get(20, TimeUnit.SECONDS));
  }
}
