package io.postino.admin;

import io.vertx.ext.web.Router;

/** One part of the admin port (the queue API, health, metrics, the status page) mounting its routes. */
@FunctionalInterface
public interface AdminRoutes {

  /**
   * Adds routes to the admin router. A route that shows or changes mail puts {@link
   * AdminAccess#requireToken()} first; one that only shows figures puts {@link
   * AdminAccess#requireTokenOffLoopback()}; health checks need none.
   */
  void mount(Router router, AdminAccess access);
}
