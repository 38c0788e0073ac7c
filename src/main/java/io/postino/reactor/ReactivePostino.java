package io.postino.reactor;

import io.postino.bus.Addresses;
import io.postino.bus.DeliveryEvent;
import io.postino.bus.InboundEvent;
import io.postino.bus.SendReply;
import io.postino.bus.SendRequest;
import io.postino.bus.Route;
import io.postino.bus.RouteException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Postino's event-bus API for Project Reactor code: each call is a request or a subscription on
 * the bus, so the Postino it talks to may be in this JVM or on another node of a cluster.
 *
 * <p>Monos are lazy (nothing is sent before subscription) and Fluxes have real back-pressure
 * through {@link ReadStreamFlux}. Signals arrive on a Vert.x event loop: do not block in them;
 * use {@code publishOn} for blocking work.
 */
public final class ReactivePostino {

  /** Longer than the MX resolver's worst case with default options. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final Addresses addresses;
  private final Duration timeout;

  public ReactivePostino(Vertx vertx) {
    this(vertx, Addresses.DEFAULT, DEFAULT_TIMEOUT);
  }

  public ReactivePostino(Vertx vertx, Addresses addresses, Duration timeout) {
    this.vertx = vertx;
    this.addresses = addresses;
    this.timeout = timeout;
  }

  /** A Mono over a Vert.x future that is created only when subscribed. */
  public static <T> Mono<T> mono(Supplier<Future<T>> future) {
    return Mono.fromCompletionStage(() -> future.get().toCompletionStage());
  }

  /**
   * Where mail for {@code domain} goes ({@code postino.mx.resolve}); fails with a
   * {@link RouteException} saying whether the failure is permanent.
   */
  public Mono<Route> resolveMx(String domain) {
    return mono(() -> vertx.eventBus()
        .<JsonObject>request(addresses.mxResolve(), new JsonObject().put("domain", domain),
            new DeliveryOptions().setSendTimeout(timeout.toMillis()))
        .compose(reply -> {
          JsonObject body = reply.body();
          return body.containsKey("hosts")
              ? Future.succeededFuture(Route.fromJson(body))
              : Future.failedFuture(RouteException.fromJson(body));
        }));
  }

  /**
   * Submits a message on {@code postino.send} (either form of {@link SendRequest}); the Mono
   * gives its queue id once it is durably in the spool. A request Postino refuses fails with a
   * {@code ReplyException} whose {@code failureCode()} is {@link SendReply#BAD_REQUEST} (do not
   * retry) or {@link SendReply#SPOOL_FAILURE} (retry later).
   */
  public Mono<String> send(SendRequest request) {
    return mono(() -> vertx.eventBus()
        .<JsonObject>request(addresses.send(), request.toJson(), new DeliveryOptions().setSendTimeout(timeout.toMillis()))
        .map(reply -> SendReply.fromJson(reply.body()).queueId()));
  }

  /**
   * Mail delivered to local mailboxes ({@code postino.inbound}), as long as the subscription
   * lasts. The mail itself is in the mailboxes whether or not anyone listens.
   */
  public Flux<InboundEvent> inbound() {
    return events(addresses.inbound(), InboundEvent::fromJson);
  }

  /**
   * What became of each recipient ({@code postino.delivery.events}): delivered, deferred or
   * bounced, as long as the subscription lasts. The queue's own records are in the spool whether
   * or not anyone listens.
   */
  public Flux<DeliveryEvent> deliveryEvents() {
    return events(addresses.deliveryEvents(), DeliveryEvent::fromJson);
  }

  /**
   * A subscription to published events: the consumer is registered on subscription and
   * unregistered on cancellation. Events published while the subscriber has no demand wait in
   * the consumer's buffer (Vert.x keeps 1000 by default and drops what does not fit), so a
   * subscriber that falls far behind misses notifications, never mail.
   */
  private <T> Flux<T> events(String address, Function<JsonObject, T> fromJson) {
    Context context = vertx.getOrCreateContext();
    return ReadStreamFlux.<Message<JsonObject>, MessageConsumer<JsonObject>>from(
            context,
            () -> vertx.eventBus().consumer(address),
            MessageConsumer::unregister)
        .map(message -> fromJson.apply(message.body()));
  }
}
