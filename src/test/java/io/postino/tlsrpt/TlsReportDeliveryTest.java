package io.postino.tlsrpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.bus.RawMessage;
import io.postino.dns.TestDnsServer;
import io.postino.testing.MutableClock;
import io.postino.testing.SmtpSink;
import io.postino.testing.TestCertificate;
import io.postino.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sessions of real deliveries counted by the node's own reporter (as the Courier reports them),
 * kept across the node's stop, and reported the next day by mail into a Maildir.
 */
class TlsReportDeliveryTest {

  @TempDir
  Path dir;

  @Test
  void theSessionsOfADaysDeliveriesAreReportedTheNextDay() throws Exception {
    TestCertificate cert = TestCertificate.create("tls.test", dir);
    Path reportsDir = dir.resolve("reports");
    try (TestDnsServer dns = TestDnsServer.start();
        SmtpSink withTls = new SmtpSink().startWithTls(cert);
        SmtpSink plain = new SmtpSink().start()) {
      try (TestServer first = new TestServer(dir.resolve("first"))) {
        first.dns().put("routes", new JsonObject().put("tls.test", "127.0.0.1:" + withTls.port())
            .put("plain.test", "127.0.0.1:" + plain.port()));
        first.config.put("delivery", new JsonObject().put("tlsPolicy", new JsonObject()
            .put("reports", new JsonObject().put("directory", reportsDir.toString()))));
        first.start();
        for (String to : List.of("bob@tls.test", "bob@plain.test")) {
          first.vertx.eventBus().request("postino.send", RawMessage.text("app@local.example", List.of(to),
              "From: app@local.example\nTo: " + to + "\nSubject: hi\n\nhello\n").toJson()).await();
          assertEquals("delivered", first.nextEventFor(to).getString("event"));
        }
        assertTrue(withTls.next().tls());
        assertEquals(false, plain.next().tls());
        first.postino.close().await();
      }
      assertTrue(Files.exists(reportsDir.resolve("0").resolve(
          java.time.LocalDate.now(java.time.ZoneOffset.UTC) + ".json")), "counts written at stop");

      dns.zone("_smtp._tls.tls.test. 300 IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@local.example\"",
          "_smtp._tls.plain.test. 300 IN TXT \"v=TLSRPTv1;rua=mailto:tlsrpt@local.example\"");
      try (TestServer second = new TestServer(dir.resolve("second"))) {
        second.config.put("delivery", new JsonObject().put("tlsPolicy", new JsonObject()
            .put("reports", new JsonObject().put("enabled", false))));
        second.start();
        TlsReports reports = new TlsReports(new TlsReports.Settings("mx.test.example", "mx.test.example",
            "postmaster@mx.test.example", "postmaster@mx.test.example", reportsDir, "postino.send", List.of()),
            TlsReportsTest.lookups(second.vertx, dns), new MutableClock(Instant.now().plus(Duration.ofDays(2))));
        second.vertx.deployVerticle(reports).await();
        reports.tickNow().await();
        second.nextInbound();
        second.nextInbound();
        Map<String, JsonObject> byDomain = new HashMap<>();
        for (Path mail : second.mailbox("local.example", "tlsrpt")) {
          ReceivedReport report = ReceivedReport.parse(Files.readAllBytes(mail));
          assertEquals(Set.of(), ReportSchema.problems(report.json()));
          byDomain.put(report.header("TLS-Report-Domain"), report.json());
        }
        assertEquals(Set.of("tls.test", "plain.test"), byDomain.keySet());

        JsonObject tls = byDomain.get("tls.test").getJsonArray("policies").getJsonObject(0);
        assertEquals("no-policy-found", tls.getJsonObject("policy").getString("policy-type"));
        assertEquals(new JsonObject().put("total-successful-session-count", 1).put("total-failure-session-count", 0),
            tls.getJsonObject("summary"));

        JsonObject clear = byDomain.get("plain.test").getJsonArray("policies").getJsonObject(0);
        assertEquals(new JsonObject().put("total-successful-session-count", 0).put("total-failure-session-count", 1),
            clear.getJsonObject("summary"));
        JsonObject failure = clear.getJsonArray("failure-details").getJsonObject(0);
        assertEquals("starttls-not-supported", failure.getString("result-type"));
        assertEquals("127.0.0.1", failure.getString("sending-mta-ip"));
        assertEquals("127.0.0.1", failure.getString("receiving-ip"));
        assertEquals(1, failure.getInteger("failed-session-count"));
      }
    }
  }
}
