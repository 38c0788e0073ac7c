package io.postino.spool;

import io.postino.smtp.MailAddress;
import io.postino.smtp.MailParameters;
import io.postino.smtp.RcptParameters;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** Shared by the spool and Maildir tests: envelopes, spooling a message, waiting on futures. */
public final class SpoolTesting {

  public static final MailAddress SENDER = new MailAddress("sender", "example.org");

  private SpoolTesting() {
  }

  /** An envelope for local recipients, received at {@code received}. */
  public static Envelope envelope(String queueId, Instant received, MailAddress... recipients) {
    List<Envelope.Recipient> rcpts = Arrays.stream(recipients)
        .map(a -> new Envelope.Recipient(a, RcptParameters.NONE, true))
        .toList();
    return new Envelope(queueId, SENDER, MailParameters.NONE, rcpts, "client.example.org",
        "192.0.2.1", "ESMTP", null, received);
  }

  /** Writes and commits one message on {@code context}, the way a session would. */
  public static Future<SpooledMessage> store(Context context, Spool spool, Envelope envelope,
      byte[] content) {
    Promise<SpooledMessage> result = Promise.promise();
    context.runOnContext(v -> {
      SpoolWriter writer = spool.create(envelope);
      writer.write(Buffer.buffer(content));
      writer.commit().onComplete(result);
    });
    return result.future();
  }

  /**
   * Ends {@code spool} as a process that dies does: its directory is left as it is now, journal
   * segments and all, for the next open to replay (a clean {@link Spool#close} checkpoints them
   * first). Nothing may be writing to the spool meanwhile.
   */
  public static void crash(Spool spool, Path dir) throws Exception {
    Path image = dir.resolveSibling(dir.getFileName() + ".crashed");
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.toList()) {
        Files.copy(p, image.resolve(dir.relativize(p).toString()));
      }
    }
    await(spool.close());
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    Files.move(image, dir);
  }

  /** {@code n} distinct event-loop contexts, as several server verticle instances would have. */
  public static List<Context> contexts(Vertx vertx, int n) throws Exception {
    List<Context> contexts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      await(vertx.deployVerticle(new VerticleBase() {
        @Override
        public Future<?> start() {
          contexts.add(context);
          return Future.succeededFuture();
        }
      }));
    }
    return contexts;
  }

  public static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /** The failure of a future that must fail. */
  public static Throwable awaitFailure(Future<?> future) throws InterruptedException, TimeoutException {
    try {
      Object value = future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + value);
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  /** Runs {@code action} on {@code context} (writers belong to the context that made them). */
  public static <T> Future<T> onContext(Context context, Supplier<Future<T>> action) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(result));
    return result.future();
  }

  /** The names of the files in {@code directory}, sorted. */
  public static List<String> fileNames(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /**
   * A message's spool file, written first if the spool keeps the message in memory (see
   * {@link ResidentMessages}): for tests that look at or damage the file itself.
   */
  public static Path fileOf(Spool spool, SpooledMessage message) throws Exception {
    await(spool.materialize(message.queueId()));
    return message.file();
  }

  /** The octets of a message's whole spool file, from memory while the spool keeps it there. */
  public static byte[] wholeFile(Spool spool, SpooledMessage message) throws IOException {
    Supplier<ByteBuffer> kept = spool.residents().get(message.queueId());
    ByteBuffer whole = kept == null ? null : kept.get();
    if (whole == null) {
      return Files.readAllBytes(message.file());
    }
    byte[] bytes = new byte[whole.remaining()];
    whole.get(bytes);
    return bytes;
  }
}
