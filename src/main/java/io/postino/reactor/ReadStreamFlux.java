package io.postino.reactor;

import io.vertx.core.Context;
import io.vertx.core.streams.ReadStream;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * Bridges a Vert.x {@link ReadStream} to a Reactor {@link Flux} with real back-pressure: the
 * stream is paused from the start and asked with {@link ReadStream#fetch(long)} for exactly what
 * the subscriber requests, so a slow subscriber slows the source instead of losing items (the
 * {@code vertx-reactive-streams} bridge lost data in this direction, see VERTX-NOTES).
 *
 * <p>A stream only finds its end by reading, which it does only with demand: a subscriber that
 * has taken every item sees completion once it requests more.
 *
 * <p>Every call into the stream happens on its Vert.x context; the subscriber is signalled on that
 * context too (use {@code publishOn} to move work off the event loop). Cancelling the
 * subscription runs the {@code cancel} action there, e.g. to unregister an event-bus consumer.
 */
public final class ReadStreamFlux {

  private ReadStreamFlux() {
  }

  /**
   * @param context the context the stream belongs to
   * @param open    creates the stream, called on {@code context} at subscription time (so a
   *                Flux that is never subscribed opens nothing)
   * @param cancel  what to do with the stream when the subscriber cancels
   */
  public static <T, S extends ReadStream<T>> Flux<T> from(Context context, Supplier<S> open,
      java.util.function.Consumer<S> cancel) {
    return Flux.create(sink -> context.runOnContext(v -> {
      S stream;
      try {
        stream = open.get();
      } catch (RuntimeException e) {
        // thrown on the context, it would reach no subscriber: the Flux would never end
        sink.error(e);
        return;
      }
      stream.pause();
      stream.handler(sink::next);
      stream.exceptionHandler(sink::error);
      stream.endHandler(end -> sink.complete());
      sink.onCancel(() -> context.runOnContext(x -> cancel.accept(stream)));
      // onRequest is also called at once with what was requested before it was attached
      sink.onRequest(n -> context.runOnContext(x -> stream.fetch(n)));
    }), FluxSink.OverflowStrategy.BUFFER);
  }
}
