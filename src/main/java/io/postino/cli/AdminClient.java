package io.postino.cli;

import io.postino.admin.AdminOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The command line's side of the admin API: a blocking HTTP client for the admin port of the
 * configuration, with the token from {@code admin.tokenFile}.
 */
final class AdminClient {

  /** The server does not answer on its admin port (not running, or the port is off). */
  static final class Unreachable extends Exception {
    private static final long serialVersionUID = 1L;

    Unreachable(String message) {
      super(message, null, false, false);
    }
  }

  /** A reply of the admin API: its status and JSON body. */
  record Reply(int status, JsonObject body) {
    String error() {
      return body.getString("error", "HTTP " + status);
    }
  }

  private final AdminOptions options;
  private final String base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  AdminClient(AdminOptions options) {
    this.options = options;
    String host = ConfigOption.connectable(options.getHost());
    this.base = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + options.getPort();
  }

  /** Where the admin port is, for messages. */
  String where() {
    return ConfigOption.connectable(options.getHost()) + ":" + options.getPort();
  }

  /** A path with its query parameters (null values left out), encoded. */
  static String path(String path, Map<String, String> query) {
    StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
    query.forEach((k, v) -> {
      if (v != null) {
        q.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8));
      }
    });
    return path + q;
  }

  Reply send(String method, String path) throws Unreachable, CommandFailure {
    HttpResponse<String> response = exchange(method, path, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    try {
      return new Reply(response.statusCode(), response.body().isBlank() ? new JsonObject() : new JsonObject(response.body()));
    } catch (DecodeException e) {
      throw new CommandFailure(ExitCodes.SOFTWARE, "the admin port answered something else than JSON (HTTP "
          + response.statusCode() + ")");
    }
  }

  /** A streamed reply (a message's content); the caller closes the stream. */
  InputStream stream(String path) throws Unreachable, CommandFailure {
    HttpResponse<InputStream> response = exchange("GET", path, HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() != 200) {
      try (InputStream in = response.body()) {
        String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        throw new CommandFailure(response.statusCode() == 404 ? ExitCodes.NOT_FOUND : ExitCodes.SOFTWARE,
            new JsonObject(body).getString("error", "HTTP " + response.statusCode()));
      } catch (IOException | DecodeException e) {
        throw new CommandFailure(ExitCodes.SOFTWARE, "HTTP " + response.statusCode());
      }
    }
    return response.body();
  }

  private <T> HttpResponse<T> exchange(String method, String path, HttpResponse.BodyHandler<T> handler)
      throws Unreachable, CommandFailure {
    if (!options.isEnabled()) {
      throw new Unreachable("the admin port is off in the configuration (admin.enabled)");
    }
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
        .header("Authorization", "Bearer " + token())
        .method(method, HttpRequest.BodyPublishers.noBody())
        .build();
    HttpResponse<T> response;
    try {
      response = http.send(request, handler);
    } catch (ConnectException e) {
      throw new Unreachable("no server answers on the admin port " + where());
    } catch (IOException e) {
      throw new CommandFailure(ExitCodes.TEMPFAIL, "admin port " + where() + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommandFailure(ExitCodes.TEMPFAIL, "interrupted");
    }
    if (response.statusCode() == 401) {
      throw new CommandFailure(ExitCodes.NO_PERMISSION, "the admin port " + where() + " refused the token of "
          + options.getTokenFile());
    }
    return response;
  }

  private String token() throws CommandFailure, Unreachable {
    try {
      return Files.readString(options.getTokenFile(), StandardCharsets.US_ASCII).trim();
    } catch (NoSuchFileException e) {
      // the server writes it when it starts: none has with this configuration
      throw new Unreachable("no admin token file " + options.getTokenFile() + ", so no server runs with this configuration");
    } catch (IOException e) {
      throw new CommandFailure(ExitCodes.NO_PERMISSION, "cannot read the admin token file " + options.getTokenFile()
          + ": " + e.getMessage() + " (run as the server's user)");
    }
  }
}
