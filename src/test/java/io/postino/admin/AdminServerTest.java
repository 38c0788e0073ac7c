package io.postino.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminServerTest {

  @TempDir
  Path dir;

  /** How long a request may take before the test fails, naming it, instead of hanging. */
  private static final int ANSWER_SECONDS = 10;

  private final Vertx vertx = Vertx.vertx();
  private final HttpClient client = vertx.createHttpClient();

  @AfterEach
  void close() {
    client.close().await();
    vertx.close().await();
  }

  private static final AdminRoutes SECRET_AND_FIGURES = (router, access) -> {
    router.get("/secret").handler(access.requireToken()).handler(ctx -> ctx.end("secret"));
    router.get("/figures").handler(access.requireTokenOffLoopback()).handler(ctx -> ctx.end("42"));
  };

  private int get(int port, String uri, String token) {
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
        .setURI(uri).setTimeout(TimeUnit.SECONDS.toMillis(ANSWER_SECONDS));
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    // body() is asked for in the callback that hands over the response, on its event loop: Vert.x
    // drops the body of a response nobody reads yet, so a body() asked for later (a callback chained
    // from this thread after the response had come) would never complete
    Future<Integer> status = client.request(request)
        .compose(r -> r.send().compose(response -> response.body().map(body -> response.statusCode())));
    try {
      return status.await(ANSWER_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no answer to GET " + uri + " on port " + port + " within " + ANSWER_SECONDS + " s", e);
    }
  }

  @Test
  void theTokenFileIsCreatedOwnerOnlyAndKeptAcrossStarts() throws Exception {
    Path file = dir.resolve("conf/admin.token");
    AdminOptions options = new AdminOptions().setEnabled(true).setPort(0).setTokenFile(file);
    AdminServer first = AdminServer.start(vertx, options, List.of(SECRET_AND_FIGURES)).await();
    String token = Files.readString(file).trim();
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertTrue(token.length() >= 40, token);
    first.close().await();
    AdminServer second = AdminServer.start(vertx, options, List.of(SECRET_AND_FIGURES)).await();
    assertEquals(token, Files.readString(file).trim());
    assertEquals(200, get(second.port(), "/secret", token));
  }

  @Test
  void mailAndChangesNeedTheTokenEvenOnLoopbackFiguresDoNot() {
    Path file = dir.resolve("admin.token");
    AdminServer server = AdminServer.start(vertx,
        new AdminOptions().setEnabled(true).setPort(0).setTokenFile(file), List.of(SECRET_AND_FIGURES)).await();
    assertEquals(401, get(server.port(), "/secret", null));
    assertEquals(401, get(server.port(), "/secret", "wrong"));
    assertEquals(200, get(server.port(), "/figures", null));
  }

  @Test
  void offLoopbackFiguresNeedTheTokenToo() {
    // the access of a port bound to a routable address, served on loopback for the test
    AdminAccess access = new AdminAccess("s3cret", "192.0.2.1");
    Router router = Router.router(vertx);
    SECRET_AND_FIGURES.mount(router, access);
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
    assertEquals(401, get(server.actualPort(), "/figures", null));
    assertEquals(200, get(server.actualPort(), "/figures", "s3cret"));
  }

  @Test
  void aPortInUseIsNamedInTheFailure() {
    Path file = dir.resolve("admin.token");
    AdminServer first = AdminServer.start(vertx,
        new AdminOptions().setEnabled(true).setPort(0).setTokenFile(file), List.of()).await();
    Throwable e = AdminServer.start(vertx,
            new AdminOptions().setEnabled(true).setPort(first.port()).setTokenFile(file), List.of())
        .toCompletionStage().toCompletableFuture().handle((s, x) -> x).join();
    assertTrue(e.getMessage().contains("admin listener 127.0.0.1:" + first.port()), e.getMessage());
  }
}
