package io.postino.cli;

import io.postino.bus.Addresses;
import io.postino.bus.DeliveryEvent;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * What the training waits for, counted from the nodes' own events: messages delivered to a node's
 * mailboxes ({@code inbound}), or results of one kind published by a node's queue. A result of
 * another kind from that queue (a deferral or a bounce where deliveries are awaited) fails the
 * wait at once with its reply, so a relay that does not deliver ends the training rather than its
 * deadline.
 */
final class Arrivals implements AutoCloseable {

  private final Vertx vertx;
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private final List<Count> counts = new ArrayList<>();
  private final CompletableFuture<Void> failed = new CompletableFuture<>();

  Arrivals(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Waits for {@code expected} messages delivered to the mailboxes of the node with this event-bus prefix. */
  Arrivals delivered(String prefix, int expected) {
    Count count = count(prefix + " mailbox deliveries", expected);
    listen(new Addresses(prefix).inbound(), event -> count.arrived());
    return this;
  }

  /**
   * Waits for {@code expected} results of type {@code wanted} from the queue of the node with this
   * prefix; a result of any other type fails the wait.
   */
  Arrivals results(String prefix, DeliveryEvent.Type wanted, int expected) {
    Count count = count(prefix + " " + wanted.jsonName() + " results", expected);
    listen(new Addresses(prefix).deliveryEvents(), json -> {
      DeliveryEvent event = DeliveryEvent.fromJson(json);
      if (event.event() == wanted) {
        count.arrived();
      } else {
        failed.completeExceptionally(new CommandFailure(ExitCodes.SOFTWARE, prefix + ": " + event.queueId() + " "
            + event.event().jsonName() + " for " + event.result().recipient() + ": " + event.result().code() + " "
            + event.result().text()));
      }
    });
    return this;
  }

  /** Until every count is reached, a failure is seen, or {@code seconds} have passed. */
  void await(int seconds) throws CommandFailure, InterruptedException {
    CompletableFuture<Void> all = CompletableFuture.allOf(counts.stream().map(Count::done).toArray(CompletableFuture[]::new));
    try {
      CompletableFuture.anyOf(all, failed).get(seconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof CommandFailure c ? c : new CommandFailure(ExitCodes.SOFTWARE, e.getCause().toString());
    } catch (TimeoutException e) {
      Count behind = counts.stream().filter(c -> !c.done().isDone()).findFirst().orElseThrow();
      throw new CommandFailure(ExitCodes.SOFTWARE, behind.seen().get() + " of " + behind.expected() + " " + behind.what()
          + " within " + seconds + " s");
    }
  }

  @Override
  public void close() {
    for (MessageConsumer<JsonObject> c : consumers) {
      c.unregister().await();
    }
  }

  private Count count(String what, int expected) {
    Count count = new Count(what, expected, new AtomicInteger(), new CompletableFuture<>());
    counts.add(count);
    return count;
  }

  private record Count(String what, int expected, AtomicInteger seen, CompletableFuture<Void> done) {
    void arrived() {
      if (seen.incrementAndGet() == expected) {
        done.complete(null);
      }
    }
  }

  private void listen(String address, Consumer<JsonObject> handler) {
    MessageConsumer<JsonObject> c = vertx.eventBus().consumer(address, m -> handler.accept(m.body()));
    consumers.add(c);
    c.completion().await();
  }
}
