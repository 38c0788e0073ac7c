package io.postino.admin;

import io.postino.config.StartupException;
import io.postino.files.SecretFiles;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The admin port: one HTTP server (vertx-web) on which the parts of a node's operation mount their
 * routes ({@link AdminRoutes}). Started after the node's verticles and closed before them.
 */
public final class AdminServer {

  private final HttpServer server;

  private AdminServer(HttpServer server) {
    this.server = server;
  }

  /**
   * Reads (or creates) the token file, mounts {@code routes} and listens.
   *
   * @return fails with a message naming the address when the port cannot be bound
   */
  public static Future<AdminServer> start(Vertx vertx, AdminOptions options, List<AdminRoutes> routes) {
    return vertx.executeBlocking(() -> readOrCreateToken(options.getTokenFile()))
        .recover(e -> Future.failedFuture(StartupException.path("admin.tokenFile", options.getTokenFile(), e)))
        .compose(token -> {
          Router router = Router.router(vertx);
          AdminAccess access = new AdminAccess(token, options.getHost());
          routes.forEach(r -> r.mount(router, access));
          return vertx.createHttpServer(new HttpServerOptions().setHost(options.getHost()).setPort(options.getPort()))
              .requestHandler(router)
              .listen()
              .recover(e -> Future.failedFuture(
                  StartupException.listener("admin listener", options.getHost(), options.getPort(), e)));
        })
        .map(AdminServer::new);
  }

  /** The token in {@code file}, written there first (owner-only) when the file does not exist. Blocks. */
  public static String readOrCreateToken(Path file) throws IOException {
    return SecretFiles.readOrCreate(file);
  }

  /** The port bound (the real one when the options asked for 0). */
  public int port() {
    return server.actualPort();
  }

  public Future<Void> close() {
    return server.close();
  }
}
