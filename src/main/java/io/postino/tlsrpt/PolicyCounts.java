package io.postino.tlsrpt;

import io.postino.tlspolicy.TlsReporter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The sessions of one day under one policy: successes, failures, and the failures grouped as the
 * report's {@code failure-details} (RFC 8460 section 4.4). Counted from every delivery event loop
 * at once, without locks. At most {@value #MAX_DETAILS} groups are kept: past that, a new kind of
 * failure is counted under its result type alone, so a flood of distinct failures cannot grow it.
 */
final class PolicyCounts {

  static final int MAX_DETAILS = 1000;
  /** A failure's text is the report's {@code failure-reason-code}: kept short. */
  static final int MAX_REASON = 200;

  /** What a group of failures has in common. Any field but the result type may be null. */
  record Failure(String resultType, String sendingIp, String mxHost, String receivingIp, String reason) {
  }

  private final LongAdder successes = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private final Map<Failure, LongAdder> details = new ConcurrentHashMap<>();

  void add(TlsReporter.Attempt attempt) {
    if (attempt.success()) {
      successes.increment();
      return;
    }
    failures.increment();
    String reason = attempt.detail();
    if (reason != null && reason.length() > MAX_REASON) {
      reason = reason.substring(0, MAX_REASON);
    }
    failed(new Failure(attempt.resultType(), attempt.sendingIp(), attempt.mxHost(), attempt.receivingIp(), reason), 1);
  }

  private void failed(Failure f, long n) {
    LongAdder count = details.get(f);
    if (count == null) {
      Failure key = details.size() < MAX_DETAILS ? f : new Failure(f.resultType(), null, null, null, null);
      count = details.computeIfAbsent(key, k -> new LongAdder());
    }
    count.add(n);
  }

  long successes() {
    return successes.sum();
  }

  long failures() {
    return failures.sum();
  }

  /** The groups of failures and their counts, at this moment. */
  Map<Failure, Long> details() {
    Map<Failure, Long> copy = new java.util.LinkedHashMap<>();
    details.forEach((k, v) -> copy.put(k, v.sum()));
    return copy;
  }

  /** The counts as kept on disk. */
  JsonObject toJson() {
    JsonArray groups = new JsonArray();
    details().forEach((f, n) -> groups.add(new JsonObject().put("resultType", f.resultType())
        .put("sendingIp", f.sendingIp()).put("mxHost", f.mxHost()).put("receivingIp", f.receivingIp())
        .put("reason", f.reason()).put("count", n)));
    return new JsonObject().put("successes", successes()).put("failures", failures()).put("details", groups);
  }

  /** Adds counts read back from disk. */
  void add(JsonObject json) {
    successes.add(json.getLong("successes", 0L));
    failures.add(json.getLong("failures", 0L));
    for (Object o : json.getJsonArray("details", new JsonArray())) {
      JsonObject g = (JsonObject) o;
      failed(new Failure(g.getString("resultType"), g.getString("sendingIp"), g.getString("mxHost"),
          g.getString("receivingIp"), g.getString("reason")), g.getLong("count", 0L));
    }
  }
}
