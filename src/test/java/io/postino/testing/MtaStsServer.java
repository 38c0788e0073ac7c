package io.postino.testing;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An MTA-STS policy host for tests: HTTPS on 127.0.0.1 (a port of its own), serving
 * {@code /.well-known/mta-sts.txt} as told: a policy, another status or type, a redirect, a body
 * without end, or no answer at all. Records the Host header and the SNI name of each request.
 */
public final class MtaStsServer implements AutoCloseable {

  /** One request: its Host header, the server name the client indicated (SNI), and its path. */
  public record Request(String host, String serverName, String path) {
  }

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private volatile Handler<HttpServerRequest> answer = r -> r.response().setStatusCode(404).end();

  private MtaStsServer(HttpServer server) {
    this.server = server;
  }

  /** Starts serving with the certificate {@code keyCert} (e.g. from {@link TestCa.Issued#keyCertOptions()}). */
  public static MtaStsServer start(Vertx vertx, PemKeyCertOptions keyCert) {
    MtaStsServer[] self = new MtaStsServer[1];
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
        .setSsl(true).setSni(true).setKeyCertOptions(keyCert));
    self[0] = new MtaStsServer(server);
    server.requestHandler(r -> {
      self[0].requests.add(new Request(r.authority() == null ? null : r.authority().host(),
          r.connection().indicatedServerName(), r.path()));
      self[0].answer.handle(r);
    });
    server.listen().await();
    return self[0];
  }

  public int port() {
    return server.actualPort();
  }

  /** Serves {@code policy} as text/plain. */
  public MtaStsServer policy(String policy) {
    return respond(200, "text/plain; charset=utf-8", policy);
  }

  public MtaStsServer respond(int status, String contentType, String body) {
    answer = r -> r.response().setStatusCode(status).putHeader("Content-Type", contentType).end(body);
    return this;
  }

  /** Answers with a redirect to {@code location}. */
  public MtaStsServer redirect(String location) {
    answer = r -> r.response().setStatusCode(301).putHeader("Location", location).end();
    return this;
  }

  /** Sends a text/plain body of {@code size} octets, in chunks, without a length. */
  public MtaStsServer large(int size) {
    answer = r -> {
      r.response().setChunked(true).putHeader("Content-Type", "text/plain");
      Buffer chunk = Buffer.buffer("mx: " + "x".repeat(1020) + "\n");
      for (int sent = 0; sent < size; sent += chunk.length()) {
        r.response().write(chunk);
      }
      r.response().end();
    };
    return this;
  }

  /** Takes requests and never answers. */
  public MtaStsServer silent() {
    answer = r -> { };
    return this;
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    server.close().await();
  }
}
