package io.postino.cli;

import io.postino.PostinoOptions;
import io.postino.spool.QueueFilter;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code postino status}: is the server up, what it listens on, its queue by state (every queue
 * node of a cluster), its uptime and version. When no server answers, says so and counts what its
 * spool holds (read under the spool's lock), exiting 3.
 */
@Command(name = "status", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.USAGE,
    description = "Show whether the server runs, its listeners, queue counts by state, cluster nodes, uptime.",
    exitCodeListHeading = "Exit status:%n",
    exitCodeList = {"0:the server runs", "3:no server answers on the admin port",
        "77:the admin token is missing or refused", "78:the configuration is invalid"})
final class StatusCommand extends OperatorCommand {

  @Option(names = "--json", description = "print the admin API's JSON")
  boolean json;

  @Override
  int run(PostinoOptions options) throws CommandFailure {
    QueueAccess access = new QueueAccess(options, err());
    JsonObject status = access.status();
    if (status == null) {
      return stopped(options, access);
    }
    if (json) {
      out().println(status.encodePrettily());
      return ExitCodes.OK;
    }
    out().printf("Postino %s on %s: running since %s (%s)%n", status.getString("version"), status.getString("hostname"),
        status.getString("started"), uptime(status.getLong("uptimeSeconds")));
    out().println("Roles: " + String.join(", ", status.getJsonArray("roles").stream().map(String::valueOf).toList()));
    for (Object o : status.getJsonArray("listeners")) {
      JsonObject l = (JsonObject) o;
      out().printf("Listener %-11s %s:%d%n", l.getString("name"), l.getString("host"), l.getInteger("port"));
    }
    out().println("Queue: " + counts(status.getJsonObject("queue")));
    out().println("Queue nodes:");
    for (Object o : status.getJsonArray("queueNodes")) {
      JsonObject n = (JsonObject) o;
      out().printf("  %s (%s): %s%n", n.getString("node"), n.getString("id"),
          n.containsKey("error") ? "no answer: " + n.getString("error") : counts(n.getJsonObject("counts")));
    }
    out().println(status.getBoolean("clustered") ? "Cluster members:" : "Members (not clustered):");
    for (Object o : status.getJsonArray("members")) {
      JsonObject m = (JsonObject) o;
      StringBuilder listening = new StringBuilder();
      for (Object l : m.getJsonArray("listeners")) {
        JsonObject listener = (JsonObject) l;
        listening.append(' ').append(listener.getString("name")).append('=').append(listener.getInteger("port"));
      }
      out().printf("  %s (%s): Postino %s since %s, %s;%s%n", m.getString("hostname"), m.getString("id"),
          m.getString("version"), m.getString("started"),
          String.join(", ", m.getJsonArray("roles").stream().map(String::valueOf).toList()),
          listening.length() == 0 ? " no listeners" : listening);
    }
    return ExitCodes.OK;
  }

  private int stopped(PostinoOptions options, QueueAccess access) throws CommandFailure {
    out().println("Postino is not running (no answer on the admin port " + access.where() + ")");
    try {
      JsonObject listing = access.offline(new AdminClient.Unreachable("no server answers"), q -> {
        JsonObject counts = new JsonObject();
        q.list(QueueFilter.ALL).forEach(m -> counts.put(m.state().jsonName(), counts.getInteger(m.state().jsonName(), 0) + 1));
        return counts;
      });
      out().println("Queue (spool " + options.getSpoolDirectory() + "): " + counts(listing));
    } catch (CommandFailure e) {
      err().println("postino: " + e.getMessage());
    }
    return ExitCodes.NOT_RUNNING;
  }

  private static String counts(JsonObject counts) {
    int total = 0;
    StringBuilder parts = new StringBuilder();
    for (String state : new String[] {"active", "pending", "deferred", "hold"}) {
      int n = counts.getInteger(state, 0);
      total += n;
      parts.append(", ").append(state).append(' ').append(n);
    }
    return total + " message(s)" + parts;
  }

  private static String uptime(long seconds) {
    return String.format("up %dd %02d:%02d:%02d", seconds / 86400, seconds / 3600 % 24, seconds / 60 % 60, seconds % 60);
  }
}
