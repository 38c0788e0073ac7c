package io.postino.tlsrpt;

import io.postino.tlspolicy.TlsReporter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * The report of one day about one policy domain, in the JSON format of RFC 8460 section 4.4, and
 * the names it goes by: its {@code report-id} (also the Message-ID of a report sent by mail) and
 * its file name (section 5.1: {@code submitter!policy-domain!begin!end!unique-id.json.gz}).
 *
 * @param submitter the domain of the sending MTA (this node's host name)
 */
record AggregateReport(String submitter, String policyDomain, LocalDate day, String token, JsonObject json) {

  /** The report of {@code domain} from a day's counts. */
  static AggregateReport of(DayCounts counts, String domain, String submitter, String organization, String contact) {
    String reportId = counts.day() + "." + counts.token() + "." + domain + "@" + submitter;
    JsonArray policies = new JsonArray();
    for (Map.Entry<TlsReporter.Scope, PolicyCounts> e : counts.of(domain).entrySet()) {
      policies.add(policy(e.getKey(), e.getValue()));
    }
    JsonObject json = new JsonObject()
        .put("organization-name", organization)
        .put("date-range", new JsonObject()
            .put("start-datetime", start(counts.day()).toString())
            .put("end-datetime", end(counts.day()).toString()))
        .put("contact-info", contact)
        .put("report-id", reportId)
        .put("policies", policies);
    return new AggregateReport(submitter, domain, counts.day(), counts.token(), json);
  }

  private static JsonObject policy(TlsReporter.Scope scope, PolicyCounts counts) {
    JsonObject policy = new JsonObject().put("policy-type", scope.type());
    if (!scope.strings().isEmpty()) {
      policy.put("policy-string", new JsonArray(scope.strings()));
    }
    policy.put("policy-domain", scope.domain());
    if (!scope.mxHosts().isEmpty()) {
      policy.put("mx-host", new JsonArray(scope.mxHosts()));
    }
    JsonArray details = new JsonArray();
    counts.details().forEach((f, n) -> {
      JsonObject d = new JsonObject().put("result-type", f.resultType());
      putIfKnown(d, "sending-mta-ip", f.sendingIp());
      putIfKnown(d, "receiving-mx-hostname", f.mxHost());
      putIfKnown(d, "receiving-ip", f.receivingIp());
      d.put("failed-session-count", n);
      putIfKnown(d, "failure-reason-code", f.reason());
      details.add(d);
    });
    JsonObject json = new JsonObject().put("policy", policy)
        .put("summary", new JsonObject()
            .put("total-successful-session-count", counts.successes())
            .put("total-failure-session-count", counts.failures()));
    if (!details.isEmpty()) {
      json.put("failure-details", details);
    }
    return json;
  }

  private static void putIfKnown(JsonObject json, String key, String value) {
    if (value != null) {
      json.put(key, value);
    }
  }

  static Instant start(LocalDate day) {
    return day.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** The last second of the day, as in the RFC's example ({@code 23:59:59Z}). */
  static Instant end(LocalDate day) {
    return start(day.plusDays(1)).minusSeconds(1);
  }

  String reportId() {
    return json.getString("report-id");
  }

  /** The name of the gzip'ed report: {@code submitter!policy-domain!begin!end!unique-id.json.gz}. */
  String fileName() {
    return submitter + "!" + policyDomain + "!" + start(day).getEpochSecond() + "!" + end(day).getEpochSecond()
        + "!" + token + ".json.gz";
  }

  /** The report as sent: the JSON, gzip'ed ({@code application/tlsrpt+gzip}). */
  byte[] gzip() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(json.encode().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // in memory: nothing to fail
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
