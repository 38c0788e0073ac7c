package io.postino.dns;

import io.postino.bus.Route;
import io.postino.bus.RouteException;
import io.postino.bus.Addresses;
import io.postino.bus.LocalMxResolvers;
import io.postino.metrics.DnsMeters;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * Answers {@code postino.mx.resolve} (under the configured address prefix): a thin event-bus
 * wrapper over {@link MxResolver}.
 *
 * <p>Request: {@code {"domain": "example.org"}}.
 *
 * <p>Reply, when a route was found: {@link Route#toJson()},
 * {@code {"domain": "example.org", "hosts": [{"name": "mx1.example.org", "preference": 10,
 * "addresses": ["192.0.2.1", "2001:db8::1"], "port": 25}], "source": "mx"}}.
 *
 * <p>Reply, when the domain has no route: a normal reply (not a {@code ReplyException}) whose
 * body is {@link RouteException#toJson()}, {@code {"domain": "example.org", "permanent": true,
 * "code": 556, "status": "5.1.10", "reason": "..."}}; a reply body has {@code hosts} or
 * {@code permanent}, never both. Route failures are data, so they are kept apart from the bus's
 * own failures (no handler, timeout), which mean "try again later".
 *
 * <p>A request that is not a JSON object with a string {@code domain} is failed with
 * {@code message.fail(400, reason)}: a bug of the caller, not an answer about a domain.
 *
 * <p>Delivery verticles of the same process ask its resolver directly ({@link LocalMxResolvers}),
 * without the bus.
 *
 * <p>One instance is enough (DNS work is light); deploying several gives each its own cache
 * unless they share one resolver through {@link #MxResolverVerticle(Addresses, MxResolver)}.
 */
public class MxResolverVerticle extends VerticleBase {

  /** The failure code of a malformed request. */
  public static final int BAD_REQUEST = 400;

  private final Addresses addresses;
  private MxResolverOptions options;
  private final DnsMeters meters;
  /** Read by delivery verticles of this process through {@link LocalMxResolvers}: volatile, a reload swaps it. */
  private volatile MxResolver resolver;
  private final LocalMxResolvers.Entry local = new LocalMxResolvers.Entry(domain -> resolver.resolve(domain));
  private final boolean ownsResolver;

  /** A verticle with its own resolver, created at start and closed at stop. */
  public MxResolverVerticle(Addresses addresses, MxResolverOptions options) {
    this(addresses, options, DnsMeters.none());
  }

  /** A verticle with its own resolver, counting its lookups and cache hits on {@code meters}. */
  public MxResolverVerticle(Addresses addresses, MxResolverOptions options, DnsMeters meters) {
    this.addresses = Objects.requireNonNull(addresses, "addresses");
    this.options = new MxResolverOptions(options);
    this.meters = meters;
    this.ownsResolver = true;
  }

  /** A verticle answering from a resolver shared with others; the caller closes it. */
  public MxResolverVerticle(Addresses addresses, MxResolver resolver) {
    this.addresses = Objects.requireNonNull(addresses, "addresses");
    this.options = null;
    this.meters = null;
    this.resolver = Objects.requireNonNull(resolver, "resolver");
    this.ownsResolver = false;
  }

  @Override
  public Future<?> start() {
    // creating the DNS clients reads /etc/hosts, and loop detection may list the network
    // interfaces: small, but blocking, so not on the event loop
    Future<MxResolver> ready = ownsResolver
        ? vertx.executeBlocking(() -> MxResolver.create(vertx, options, meters))
        : Future.succeededFuture(resolver);
    return ready.compose(created -> {
      resolver = created;
      return vertx.eventBus().<Object>consumer(addresses.mxResolve(), this::handle).completion()
          .onSuccess(v -> LocalMxResolvers.register(vertx, addresses.mxResolve(), local))
          // Vert.x does not call stop() after a failed start: close the DNS clients here
          .onFailure(e -> {
            if (ownsResolver) {
              resolver.close();
            }
          });
    });
  }

  /**
   * Resolves with new options from now on (a reload: routes, servers, cache sizes); lookups under
   * way finish on the old resolver, whose cache goes with it. Fails, keeping the old one, when
   * the new one cannot be made. Thread-safe.
   */
  public Future<Void> reconfigure(MxResolverOptions next) {
    if (!ownsResolver) {
      return Future.failedFuture(new IllegalStateException("this resolver was given, not configured"));
    }
    MxResolverOptions copy = new MxResolverOptions(next);
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> vertx.executeBlocking(() -> MxResolver.create(vertx, copy)).onComplete(ar -> {
      if (ar.failed()) {
        done.fail(ar.cause());
        return;
      }
      MxResolver old = resolver;
      resolver = ar.result();
      options = copy;
      // closed once its lookups under way had time to finish: the DNS query timeout and then some
      vertx.setTimer(Math.max(1000, 2L * copy.getQueryTimeout()), id -> old.close());
      done.complete();
    }));
    return done.future();
  }

  @Override
  public Future<?> stop() {
    LocalMxResolvers.unregister(vertx, addresses.mxResolve(), local);
    return ownsResolver ? resolver.close() : Future.succeededFuture();
  }

  private void handle(Message<Object> message) {
    if (!(message.body() instanceof JsonObject request) || !(request.getValue("domain") instanceof String domain)) {
      message.fail(BAD_REQUEST, "expected a JSON object with a string \"domain\"");
      return;
    }
    resolver.resolve(domain).onComplete(ar -> {
      if (ar.succeeded()) {
        message.reply(ar.result().toJson());
      } else if (ar.cause() instanceof RouteException failure) {
        message.reply(failure.toJson());
      } else {
        // MxResolver promises RouteException only; an unanswered request would hang the caller
        message.reply(RouteException.temporary(domain, String.valueOf(ar.cause())).toJson());
      }
    });
  }
}
