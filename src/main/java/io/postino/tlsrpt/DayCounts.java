package io.postino.tlsrpt;

import io.postino.tlspolicy.TlsReporter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One UTC day of TLS sessions, per policy (its domain, type, strings and MX patterns), and how far
 * sending its reports has come, per policy domain. The counts take sessions from every delivery
 * event loop; the sending state is only touched on the reporter's context.
 *
 * @param token  random, unique to this node's counts of the day: in report ids and file names
 * @param sendAt when the day's reports go: after the day, plus a random delay
 */
record DayCounts(LocalDate day, String token, Instant sendAt, Map<TlsReporter.Scope, PolicyCounts> policies,
    Map<String, Sending> sending) {

  static final int FORMAT = 1;

  /** Where the report of one policy domain stands. */
  static final class Sending {
    int attempts;
    /** Not before this instant (a retry); null: at once. */
    Instant next;
    /** The destinations that have the report. */
    final Set<String> delivered = new TreeSet<>();
    /** Nothing more to do: sent, no TLSRPT record, or given up. */
    boolean finished;

    JsonObject toJson() {
      return new JsonObject().put("attempts", attempts).put("next", next == null ? null : next.toString())
          .put("delivered", new JsonArray(List.copyOf(delivered))).put("finished", finished);
    }

    static Sending fromJson(JsonObject json) {
      Sending s = new Sending();
      s.attempts = json.getInteger("attempts", 0);
      String next = json.getString("next");
      s.next = next == null ? null : Instant.parse(next);
      json.getJsonArray("delivered", new JsonArray()).forEach(d -> s.delivered.add((String) d));
      s.finished = json.getBoolean("finished", false);
      return s;
    }
  }

  static DayCounts empty(LocalDate day, String token, Instant sendAt) {
    return new DayCounts(day, token, sendAt, new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
  }

  void add(TlsReporter.Attempt attempt) {
    policies.computeIfAbsent(attempt.scope(), s -> new PolicyCounts()).add(attempt);
  }

  /** The policy domains with sessions this day, lower case. */
  Set<String> domains() {
    Set<String> domains = new TreeSet<>();
    policies.keySet().forEach(s -> domains.add(domainOf(s)));
    return domains;
  }

  /** The policies of {@code domain} and their counts. */
  Map<TlsReporter.Scope, PolicyCounts> of(String domain) {
    Map<TlsReporter.Scope, PolicyCounts> map = new LinkedHashMap<>();
    policies.forEach((scope, counts) -> {
      if (domainOf(scope).equals(domain)) {
        map.put(scope, counts);
      }
    });
    return map;
  }

  Sending sending(String domain) {
    return sending.computeIfAbsent(domain, d -> new Sending());
  }

  /** Every domain's report is done with. */
  boolean finished() {
    return domains().stream().allMatch(d -> sending(d).finished);
  }

  private static String domainOf(TlsReporter.Scope scope) {
    return scope.domain().toLowerCase(Locale.ROOT);
  }

  JsonObject toJson() {
    JsonArray list = new JsonArray();
    policies.forEach((scope, counts) -> list.add(new JsonObject()
        .put("domain", scope.domain()).put("type", scope.type())
        .put("strings", new JsonArray(scope.strings())).put("mxHosts", new JsonArray(scope.mxHosts()))
        .put("counts", counts.toJson())));
    JsonObject states = new JsonObject();
    sending.forEach((domain, s) -> states.put(domain, s.toJson()));
    return new JsonObject().put("format", FORMAT).put("day", day.toString()).put("token", token)
        .put("sendAt", sendAt.toString()).put("policies", list).put("sending", states);
  }

  static DayCounts fromJson(JsonObject json) {
    if (json.getInteger("format", 0) != FORMAT) {
      throw new IllegalArgumentException("not a TLS report counts file of format " + FORMAT);
    }
    DayCounts day = empty(LocalDate.parse(json.getString("day")), json.getString("token"),
        Instant.parse(json.getString("sendAt")));
    day.addAll(json);
    JsonObject states = json.getJsonObject("sending", new JsonObject());
    for (String domain : states.fieldNames()) {
      day.sending.put(domain, Sending.fromJson(states.getJsonObject(domain)));
    }
    return day;
  }

  /** Adds the counts of a file written before (the same day kept twice is added up). */
  void addAll(JsonObject json) {
    for (Object o : json.getJsonArray("policies", new JsonArray())) {
      JsonObject p = (JsonObject) o;
      TlsReporter.Scope scope = new TlsReporter.Scope(p.getString("domain"), p.getString("type"),
          strings(p.getJsonArray("strings")), strings(p.getJsonArray("mxHosts")));
      policies.computeIfAbsent(scope, s -> new PolicyCounts()).add(p.getJsonObject("counts", new JsonObject()));
    }
  }

  private static List<String> strings(JsonArray array) {
    List<String> list = new ArrayList<>();
    if (array != null) {
      array.forEach(v -> list.add((String) v));
    }
    return list;
  }
}
