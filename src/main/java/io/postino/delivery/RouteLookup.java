package io.postino.delivery;

import io.postino.bus.Addresses;
import io.postino.bus.Route;
import io.postino.bus.RouteException;
import io.postino.bus.LocalMxResolvers;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/**
 * Where a job's mail goes: asked of the resolver of this process when there is one
 * ({@link LocalMxResolvers}: the same resolver and cache, without a request and a reply on the
 * event bus and their JSON for every job), else on {@code postino.mx.resolve}; within the resolve
 * timeout either way. Fails only with a {@link HostException}: the route's own failure (a null MX,
 * NXDOMAIN...), or a temporary 4.4.3 when no answer came.
 */
final class RouteLookup {

  private RouteLookup() {
  }

  static Future<Route> resolve(Vertx vertx, Addresses addresses, String domain, long timeoutMillis) {
    Function<String, Future<Route>> local = LocalMxResolvers.at(vertx, addresses.mxResolve());
    if (local != null) {
      return bounded(vertx, local.apply(domain), timeoutMillis, domain).recover(e -> Future.failedFuture(
          e instanceof HostException ? e
              : routeFailure(e instanceof RouteException r ? r : RouteException.temporary(domain, String.valueOf(e)))));
    }
    DeliveryOptions timeout = new DeliveryOptions().setSendTimeout(timeoutMillis);
    return vertx.eventBus().<JsonObject>request(addresses.mxResolve(), new JsonObject().put("domain", domain), timeout)
        .recover(e -> Future.failedFuture(cannotResolve(domain, e.getMessage())))
        .compose(reply -> {
          JsonObject body = reply.body();
          if (body.containsKey("hosts")) {
            return Future.succeededFuture(Route.fromJson(body));
          }
          return Future.failedFuture(routeFailure(RouteException.fromJson(body)));
        });
  }

  /** {@code lookup}, or the bus's timeout failure after {@code millis}; a cached route comes back at once. */
  private static Future<Route> bounded(Vertx vertx, Future<Route> lookup, long millis, String domain) {
    if (lookup.isComplete()) {
      return lookup;
    }
    Promise<Route> bounded = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, millis), id -> bounded.tryFail(
        cannotResolve(domain, "Timed out after waiting " + millis + "(ms) for a reply")));
    lookup.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        bounded.tryComplete(ar.result());
      } else {
        bounded.tryFail(ar.cause());
      }
    });
    return bounded.future();
  }

  private static HostException cannotResolve(String domain, String why) {
    return new HostException(Failure.temporary("4.4.3", "cannot look up where mail for " + domain + " goes: " + why));
  }

  private static HostException routeFailure(RouteException e) {
    return new HostException(new Failure(e.permanent(), e.code(), e.status(), e.reason(), false));
  }
}
