package io.postino.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The text the queue commands print, from the admin API's JSON: {@code queue list} in the layout
 * of Postfix's {@code mailq} (a {@code *} after the id: being delivered; {@code !}: on hold), each
 * recipient not yet finished with its state and last error, and {@code queue show} as
 * {@code postcat -q} would, envelope first.
 */
final class QueueText {

  private static final DateTimeFormatter ARRIVAL = DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss", Locale.ROOT)
      .withZone(ZoneId.systemDefault());
  private static final String INDENT = " ".repeat(42);

  private QueueText() {
  }

  static String list(JsonObject listing) {
    JsonArray messages = listing.getJsonArray("messages");
    StringBuilder out = new StringBuilder();
    for (Object o : listing.getJsonArray("nodes", new JsonArray())) {
      JsonObject node = (JsonObject) o;
      if (node.containsKey("error")) {
        out.append("postino: node ").append(node.getString("node")).append(" did not answer: ")
            .append(node.getString("error")).append('\n');
      }
    }
    if (messages.isEmpty()) {
      return out.append("Mail queue is empty\n").toString();
    }
    boolean manyNodes = listing.getJsonArray("nodes", new JsonArray()).size() > 1;
    out.append(String.format("%-20s %8s %-20s %s%n", "-Queue ID-", "--Size--", "----Arrival Time----",
        "-Sender/Recipient-------"));
    long octets = 0;
    for (Object o : messages) {
      JsonObject m = (JsonObject) o;
      octets += m.getLong("size");
      String mark = switch (m.getString("state")) {
        case "active" -> "*";
        case "hold" -> "!";
        default -> "";
      };
      String sender = m.getString("sender").isEmpty() ? "MAILER-DAEMON" : m.getString("sender");
      out.append(String.format("%-20s %8d %-20s %s%n", m.getString("id") + mark, m.getLong("size"),
          ARRIVAL.format(Instant.parse(m.getString("arrival"))), sender));
      StringBuilder about = new StringBuilder(m.getString("state"));
      if (m.getString("nextAttempt") != null && !m.getString("state").equals("active")) {
        about.append(", next attempt ").append(m.getString("nextAttempt"));
      }
      if (m.getInteger("attempts", 0) > 0) {
        about.append(", ").append(m.getInteger("attempts")).append(m.getInteger("attempts") == 1 ? " attempt" : " attempts");
      }
      if (manyNodes) {
        about.append(", node ").append(m.getString("node"));
      }
      out.append(INDENT).append('[').append(about).append("]\n");
      for (Object r : m.getJsonArray("recipients")) {
        JsonObject rcpt = (JsonObject) r;
        String state = rcpt.getString("state");
        if (state.equals("delivered") || state.equals("bounced")) {
          continue;
        }
        if (rcpt.getString("lastError") != null) {
          out.append(INDENT).append('(').append(rcpt.getString("lastError")).append(")\n");
        }
        out.append(INDENT).append(rcpt.getString("address")).append(" (").append(state).append(")\n");
      }
      out.append('\n');
    }
    int n = messages.size();
    return out.append("-- ").append((octets + 1023) / 1024).append(" Kbytes in ").append(n)
        .append(n == 1 ? " Request.\n" : " Requests.\n").toString();
  }

  static String show(JsonObject m) {
    StringBuilder out = new StringBuilder();
    line(out, "Queue ID", m.getString("id"));
    line(out, "Node", m.getString("node"));
    line(out, "State", m.getString("state"));
    line(out, "Size", m.getLong("size") + " octets");
    line(out, "Arrival", m.getString("arrival"));
    line(out, "Next attempt", m.getString("nextAttempt") == null ? "-" : m.getString("nextAttempt"));
    line(out, "Attempts", String.valueOf(m.getInteger("attempts", 0)));
    line(out, "Sender", "<" + m.getString("sender") + ">");
    if (m.getJsonObject("parameters", new JsonObject()).getBoolean("requireTls", false)) {
      line(out, "REQUIRETLS", "yes: only over authenticated TLS to servers that offer REQUIRETLS");
    }
    String client = m.getString("helo") + " [" + m.getString("clientAddress") + "] " + m.getString("protocol");
    if (m.getString("authenticatedUser") != null) {
      client += " user=" + m.getString("authenticatedUser");
    }
    line(out, "Client", client);
    out.append("Recipients:\n");
    for (Object r : m.getJsonArray("recipients")) {
      JsonObject rcpt = (JsonObject) r;
      out.append("  <").append(rcpt.getString("address")).append(">: ").append(rcpt.getString("state")).append('\n');
      for (Object h : rcpt.getJsonArray("history", new JsonArray())) {
        JsonObject event = (JsonObject) h;
        JsonObject result = event.getJsonObject("result");
        out.append("    ").append(event.getString("at") == null ? "" : event.getString("at") + " ")
            .append(result.getString("outcome")).append(' ').append(result.getInteger("code")).append(' ')
            .append(result.getString("status")).append(' ').append(result.getString("text"));
        if (result.getString("mx") != null) {
          out.append(" (").append(result.getString("mx"))
              .append(result.getString("address") == null ? "" : "[" + result.getString("address") + "]").append(')');
        }
        out.append('\n');
      }
    }
    out.append("Headers:\n").append(m.getString("headers", ""));
    return out.toString();
  }

  private static void line(StringBuilder out, String name, String value) {
    out.append(String.format("%-14s%s%n", name + ":", value));
  }
}
