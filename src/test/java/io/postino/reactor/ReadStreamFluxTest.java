package io.postino.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.parsetools.RecordParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** The ReadStream → Flux bridge: nothing lost with a slow subscriber, demand honoured, cancel. */
class ReadStreamFluxTest {

  @TempDir
  Path dir;
  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private Flux<Buffer> fileFlux(Path file, int chunk) {
    Context context = vertx.getOrCreateContext();
    return ReadStreamFlux.<Buffer, AsyncFile>from(context,
        () -> vertx.fileSystem().openBlocking(file.toString(), new OpenOptions().setRead(true))
            .setReadBufferSize(chunk),
        AsyncFile::close);
  }

  /** A subscriber that takes one item at a time, asking for the next only after handling one. */
  private static final class OneAtATime extends BaseSubscriber<Buffer> {
    final AtomicLong items = new AtomicLong();
    final CompletableFuture<Void> done = new CompletableFuture<>();

    @Override
    protected void hookOnSubscribe(Subscription subscription) {
      request(1);
    }

    @Override
    protected void hookOnNext(Buffer value) {
      long expected = items.getAndIncrement();
      if (!value.toString().equals("line " + expected)) {
        done.completeExceptionally(new AssertionError("item " + expected + " was: " + value));
        cancel();
        return;
      }
      request(1);
    }

    @Override
    protected void hookOnComplete() {
      done.complete(null);
    }

    @Override
    protected void hookOnError(Throwable throwable) {
      done.completeExceptionally(throwable);
    }
  }

  @Test
  void aMillionItemsReachASlowSubscriberInOrderWithoutLoss() throws Exception {
    int count = 1_000_000;
    StringBuilder text = new StringBuilder(count * 13);
    for (int i = 0; i < count; i++) {
      text.append("line ").append(i).append('\n');
    }
    Path file = Files.writeString(dir.resolve("lines"), text);
    Context context = vertx.getOrCreateContext();
    // a record parser over a file: a real Vert.x stream that reads 64 KiB ahead and buffers, the
    // kind of source that loses items when back-pressure is not carried through
    Flux<Buffer> lines = ReadStreamFlux.<Buffer, RecordParser>from(context,
        () -> RecordParser.newDelimited("\n",
            vertx.fileSystem().openBlocking(file.toString(), new OpenOptions().setRead(true))),
        RecordParser::pause);
    OneAtATime subscriber = new OneAtATime();
    lines.subscribe(subscriber);
    subscriber.done.get(60, TimeUnit.SECONDS);
    assertEquals(count, subscriber.items.get());
  }

  @Test
  void demandIsHonouredExactly() throws Exception {
    Path file = Files.write(dir.resolve("small"), new byte[10 * 100]);
    StepVerifier.create(fileFlux(file, 100), 0)
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(100))
        .thenRequest(3)
        .expectNextCount(3)
        .expectNoEvent(Duration.ofMillis(100))
        .thenRequest(7)
        .expectNextCount(7)
        // a ReadStream finds its end by reading, which it only does with demand
        .thenRequest(1)
        .verifyComplete();
  }

  @Test
  void cancellingUnregistersAnEventBusConsumer() throws Exception {
    Context context = vertx.getOrCreateContext();
    CompletableFuture<MessageConsumer<String>> registered = new CompletableFuture<>();
    Flux<String> flux = ReadStreamFlux.<io.vertx.core.eventbus.Message<String>, MessageConsumer<String>>from(context,
            () -> {
              MessageConsumer<String> c = vertx.eventBus().consumer("test.address");
              registered.complete(c);
              return c;
            },
            MessageConsumer::unregister)
        .map(m -> {
          m.reply("ok");
          return m.body();
        });
    StepVerifier.create(flux.take(1))
        .then(() -> {
          try {
            registered.get(10, TimeUnit.SECONDS).completion().toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
          } catch (Exception e) {
            throw new AssertionError(e);
          }
          vertx.eventBus().request("test.address", "hello");
        })
        .expectNext("hello")
        .verifyComplete();
    // take(1) cancelled the upstream: the consumer is gone
    Throwable failure = null;
    for (int i = 0; i < 100 && failure == null; i++) {
      try {
        vertx.eventBus().request("test.address", "again").await();
      } catch (ReplyException e) {
        if (e.failureType() == ReplyFailure.NO_HANDLERS) {
          failure = e;
        }
      }
    }
    assertTrue(failure instanceof ReplyException);
  }
}
