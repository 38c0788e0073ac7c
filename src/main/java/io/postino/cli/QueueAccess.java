package io.postino.cli;

import io.postino.PostinoOptions;
import io.postino.spool.MessageDetails;
import io.postino.spool.QueueFilter;
import io.postino.spool.QueuedMessage;
import io.postino.spool.SpoolLockedException;
import io.postino.spool.StoppedSpool;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * How the queue commands reach the queue: the running server's admin API, or, when no server
 * answers, the spool itself, read under its lock ({@link StoppedSpool}), so never while a server
 * runs on it. Only reading is done without a server: the changing commands need one (see
 * {@link #change}), since a server starting meanwhile would not know what was changed under it.
 */
final class QueueAccess {

  private final PostinoOptions options;
  private final AdminClient client;
  private final PrintWriter err;

  QueueAccess(PostinoOptions options, PrintWriter err) {
    this.options = options;
    this.client = new AdminClient(options.getAdmin());
    this.err = err;
  }

  /** {@code GET /api/queue}, or the stopped server's spool: {@code {"messages": [...], "nodes": [...]}}. */
  JsonObject list(QueueFilter filter) throws CommandFailure {
    try {
      return ok(client.send("GET", AdminClient.path("/api/queue", query(filter))));
    } catch (AdminClient.Unreachable down) {
      return offline(down, queue -> {
        JsonArray messages = new JsonArray();
        for (QueuedMessage m : queue.list(filter)) {
          messages.add(m.toJson().put("node", options.getHostname()));
        }
        return new JsonObject().put("messages", messages).put("nodes", new JsonArray()
            .add(new JsonObject().put("node", options.getHostname()).put("stopped", true)));
      });
    }
  }

  /**
   * {@code GET /api/queue/ID}, or from the stopped server's spool; null when there is no such
   * message. A message found is given to {@code found} first; then, when {@code body} is not null,
   * its content is streamed there.
   */
  JsonObject show(String id, Consumer<JsonObject> found, OutputStream body) throws CommandFailure {
    checkId(id);
    try {
      Reply shown = reply(client.send("GET", "/api/queue/" + id));
      if (shown.json != null) {
        found.accept(shown.json);
      }
      if (body != null && shown.json != null) {
        try (InputStream in = client.stream("/api/queue/" + id + "?body=true")) {
          in.transferTo(body);
        } catch (IOException e) {
          throw new CommandFailure(ExitCodes.IO_ERROR, "reading the message's content: " + e.getMessage());
        }
      }
      return shown.json;
    } catch (AdminClient.Unreachable down) {
      return offline(down, queue -> {
        MessageDetails details = queue.show(id);
        if (details == null) {
          return null;
        }
        JsonObject json = details.toJson().put("node", options.getHostname());
        found.accept(json);
        if (body != null) {
          try (FileChannel ch = FileChannel.open(details.file(), StandardOpenOption.READ)) {
            ch.transferTo(details.contentOffset(), details.contentLength(), Channels.newChannel(body));
          }
        }
        return json;
      });
    }
  }

  private record Reply(JsonObject json) {
  }

  /** A queue id goes into a URL path: letters and digits only, as the spool's. */
  static String checkId(String id) throws CommandFailure {
    if (!id.matches("[0-9A-Za-z]{1,64}")) {
      throw new CommandFailure(ExitCodes.USAGE, "not a queue id: " + id);
    }
    return id;
  }

  private Reply reply(AdminClient.Reply r) throws CommandFailure {
    if (r.status() == 404) {
      return new Reply(null);
    }
    return new Reply(ok(r));
  }

  /**
   * A changing request ({@code POST} or {@code DELETE}); null when the message is not there (404).
   * Without a running server it fails: taking the spool's lock to change it would work, but a
   * change the operator asks of a stopped server is as well made by starting it first, and the
   * queue manager alone then decides what happens to mail.
   */
  JsonObject change(String method, String path, String what) throws CommandFailure {
    try {
      return reply(client.send(method, path)).json;
    } catch (AdminClient.Unreachable down) {
      throw new CommandFailure(ExitCodes.UNAVAILABLE, down.getMessage() + ": " + what + " needs a running server");
    }
  }

  /** {@code POST /api/queue/delete?all} with {@code filter}'s parameters: how many were deleted. */
  int deleteAll(QueueFilter filter) throws CommandFailure {
    Map<String, String> query = new LinkedHashMap<>();
    query.put("all", "true");
    query.putAll(query(filter));
    return change("POST", AdminClient.path("/api/queue/delete", query), "delete").getInteger("deleted");
  }

  /** A filter as the admin API's query parameters (null values are left out). */
  private static Map<String, String> query(QueueFilter filter) {
    Map<String, String> query = new LinkedHashMap<>();
    query.put("deferred", filter.deferred() ? "true" : null);
    query.put("hold", filter.hold() ? "true" : null);
    query.put("domain", filter.domain());
    query.put("sender", filter.sender());
    return query;
  }

  /** {@code GET /api/status}, or null when no server answers. */
  JsonObject status() throws CommandFailure {
    try {
      return ok(client.send("GET", "/api/status"));
    } catch (AdminClient.Unreachable down) {
      return null;
    }
  }

  String where() {
    return client.where();
  }

  private static JsonObject ok(AdminClient.Reply r) throws CommandFailure {
    if (r.status() == 200) {
      return r.body();
    }
    throw new CommandFailure(r.status() == 400 ? ExitCodes.USAGE : ExitCodes.SOFTWARE, r.error());
  }

  @FunctionalInterface
  interface Reading {
    JsonObject read(StoppedSpool.Queue queue) throws IOException;
  }

  /** Reads the spool of a server that does not answer, as {@code mailq} does when the mail system is down. */
  JsonObject offline(AdminClient.Unreachable down, Reading reading) throws CommandFailure {
    try {
      JsonObject result = StoppedSpool.inspect(options.getSpoolDirectory(), reading::read);
      err.println("postino: " + down.getMessage() + ": reading the spool " + options.getSpoolDirectory() + " directly");
      err.flush();
      return result;
    } catch (SpoolLockedException e) {
      throw new CommandFailure(ExitCodes.UNAVAILABLE, down.getMessage() + ", but a server runs on the spool "
          + e.directory() + " (its lock is taken): is its admin port on (admin.enabled) and this -conf its configuration?");
    } catch (NoSuchFileException e) {
      throw new CommandFailure(ExitCodes.IO_ERROR, down.getMessage() + ", and there is no spool at "
          + options.getSpoolDirectory().toAbsolutePath());
    } catch (IOException e) {
      throw new CommandFailure(ExitCodes.IO_ERROR, "reading the spool " + options.getSpoolDirectory() + ": " + e);
    } catch (IllegalArgumentException e) {
      throw new CommandFailure(ExitCodes.USAGE, e.getMessage());
    }
  }
}
