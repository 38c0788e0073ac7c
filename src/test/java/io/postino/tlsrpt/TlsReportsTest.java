package io.postino.tlsrpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.dns.DnsLookups;
import io.postino.dns.MxResolverOptions;
import io.postino.dns.TestDnsServer;
import io.postino.testing.MutableClock;
import io.postino.tlspolicy.TlsReporter;
import io.postino.testing.TestCa;
import io.postino.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reporter driven directly, with a clock the test moves: a day's counts, the report sent by
 * mail through a Postino (into a Maildir) or posted to an HTTPS server, the counts across a
 * restart, the retries, and no report for a domain without a TLSRPT record.
 */
class TlsReportsTest {

  static final Instant DURING = Instant.parse("2026-03-10T12:00:00Z");
  static final Instant NEXT_DAY = Instant.parse("2026-03-11T02:00:00Z");
  static final TlsReporter.Scope STS = new TlsReporter.Scope("dest.test", "sts",
      List.of("version: STSv1", "mode: enforce", "mx: *.dest.test", "max_age: 86400"), List.of("*.dest.test"));
  static final TlsReporter.Scope NONE = TlsReporter.Scope.noPolicy("dest.test");

  @TempDir
  Path dir;
  TestServer server;
  TestDnsServer dns;
  MutableClock clock = new MutableClock(DURING);

  @BeforeEach
  void start() throws Exception {
    dns = TestDnsServer.start();
    server = new TestServer(dir).start();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    dns.close();
  }

  private TlsReports reporter(List<String> trusted) {
    return new TlsReports(new TlsReports.Settings("mx.test.example", "Postino Test", "postmaster@mx.test.example",
        "tlsrpt-sender@mx.test.example", dir.resolve("reports"), "postino.send", trusted),
        lookups(server.vertx, dns), clock);
  }

  /** Lookups through the test's DNS server, patient enough for a cold JVM. */
  static DnsLookups lookups(Vertx vertx, TestDnsServer dns) {
    return DnsLookups.create(vertx, new MxResolverOptions().setServers(List.of(dns.address())).setQueryTimeout(5000),
        Duration.ZERO);
  }

  private static void day(TlsReporter r) {
    for (int i = 0; i < 3; i++) {
      r.record(new TlsReporter.Attempt(STS, "mx1.dest.test", "192.0.2.1", null, null));
    }
    for (int i = 0; i < 2; i++) {
      r.record(new TlsReporter.Attempt(STS, "mx1.dest.test", "192.0.2.1", "certificate-expired",
          "certificate expired on 2026-03-01", "127.0.0.1"));
    }
    r.record(new TlsReporter.Attempt(NONE, "mx2.dest.test", "192.0.2.2", "starttls-not-supported",
        "host mx2.dest.test offers no STARTTLS", "127.0.0.1"));
    r.record(new TlsReporter.Attempt(NONE, "mx2.dest.test", "192.0.2.2", null, null));
  }

  private ReceivedReport mailed() throws Exception {
    server.nextInbound();
    List<Path> mails = server.mailbox("local.example", "tlsrpt");
    assertEquals(1, mails.size());
    return ReceivedReport.parse(Files.readAllBytes(mails.get(0)));
  }

  @Test
  void aDaysReportGoesByMailInTheRfcFormat() throws Exception {
    dns.zone("_smtp._tls.dest.test. 300 IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@local.example\"");
    TlsReports reports = reporter(List.of());
    server.vertx.deployVerticle(reports).await();
    day(reports);
    reports.tickNow().await();
    assertEquals(0, server.mailbox("local.example", "tlsrpt").size(), "nothing before the day is over");

    clock.set(NEXT_DAY);
    reports.tickNow().await();
    ReceivedReport mail = mailed();
    JsonObject json = mail.json();
    assertEquals(Set.of(), ReportSchema.problems(json));
    String id = json.getString("report-id");
    assertTrue(id.startsWith("2026-03-10.") && id.endsWith(".dest.test@mx.test.example"), id);
    assertEquals("Report Domain: dest.test Submitter: mx.test.example Report-ID: <" + id + ">", mail.header("Subject"));
    assertEquals("dest.test", mail.header("TLS-Report-Domain"));
    assertEquals("mx.test.example", mail.header("TLS-Report-Submitter"));
    assertEquals("tlsrpt", mail.message().getHeader().getField("Content-Type").getBody().replaceAll(
        ".*report-type=\"?([a-z]+)\"?.*", "$1"));
    String token = id.split("\\.")[1];
    assertEquals("attachment; filename=\"mx.test.example!dest.test!1773100800!1773187199!" + token + ".json.gz\"",
        mail.attachment().getHeader().getField("Content-Disposition").getBody());

    assertEquals("Postino Test", json.getString("organization-name"));
    assertEquals("postmaster@mx.test.example", json.getString("contact-info"));
    assertEquals(new JsonObject().put("start-datetime", "2026-03-10T00:00:00Z")
        .put("end-datetime", "2026-03-10T23:59:59Z"), json.getJsonObject("date-range"));
    JsonArray policies = json.getJsonArray("policies");
    assertEquals(2, policies.size());
    JsonObject sts = policy(policies, "sts");
    assertEquals(new JsonObject().put("policy-type", "sts").put("policy-string", new JsonArray(STS.strings()))
        .put("policy-domain", "dest.test").put("mx-host", new JsonArray().add("*.dest.test")), sts.getJsonObject("policy"));
    assertEquals(new JsonObject().put("total-successful-session-count", 3).put("total-failure-session-count", 2),
        sts.getJsonObject("summary"));
    assertEquals(new JsonArray().add(new JsonObject().put("result-type", "certificate-expired")
        .put("sending-mta-ip", "127.0.0.1").put("receiving-mx-hostname", "mx1.dest.test")
        .put("receiving-ip", "192.0.2.1").put("failed-session-count", 2)
        .put("failure-reason-code", "certificate expired on 2026-03-01")), sts.getJsonArray("failure-details"));
    JsonObject none = policy(policies, "no-policy-found");
    assertEquals(new JsonObject().put("policy-type", "no-policy-found").put("policy-domain", "dest.test"),
        none.getJsonObject("policy"));
    assertEquals(new JsonObject().put("total-successful-session-count", 1).put("total-failure-session-count", 1),
        none.getJsonObject("summary"));
    assertEquals("starttls-not-supported", none.getJsonArray("failure-details").getJsonObject(0).getString("result-type"));

    assertTrue(reports.days().isEmpty(), "the day is done with");
    assertFalse(Files.exists(dir.resolve("reports/0/2026-03-10.json")), "and its file deleted");
    reports.tickNow().await();
    assertEquals(1, server.mailbox("local.example", "tlsrpt").size(), "sent once");
  }

  @Test
  void theSchemaRefusesAReportWithoutItsSummary() throws Exception {
    TlsReports reports = reporter(List.of());
    day(reports);
    DayCounts counts = reports.days().get(LocalDate.parse("2026-03-10"));
    JsonObject json = AggregateReport.of(counts, "dest.test", "mx.test.example", "o", "c").json();
    assertEquals(Set.of(), ReportSchema.problems(json));
    json.getJsonArray("policies").getJsonObject(0).remove("summary");
    assertFalse(ReportSchema.problems(json).isEmpty());
  }

  @Test
  void countsSurviveARestart() throws Exception {
    dns.zone("_smtp._tls.dest.test. 300 IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@local.example\"");
    TlsReports first = reporter(List.of());
    String id = server.vertx.deployVerticle(first).await();
    day(first);
    server.vertx.undeploy(id).await();
    assertTrue(Files.exists(dir.resolve("reports/0/2026-03-10.json")), "written when the reporter stopped");

    TlsReports second = reporter(List.of());
    server.vertx.deployVerticle(second).await();
    second.record(new TlsReporter.Attempt(STS, "mx1.dest.test", "192.0.2.1", null, null));
    clock.set(NEXT_DAY);
    second.tickNow().await();
    JsonObject json = mailed().json();
    JsonObject sts = policy(json.getJsonArray("policies"), "sts");
    assertEquals(4, sts.getJsonObject("summary").getInteger("total-successful-session-count"));
    assertEquals(2, sts.getJsonObject("summary").getInteger("total-failure-session-count"));
  }

  @Test
  void aDomainWithoutATlsrptRecordGetsNothing() throws Exception {
    dns.zone("_smtp._tls.dest.test. 300 IN TXT \"v=spf1 -all\"");
    TlsReports reports = reporter(List.of());
    server.vertx.deployVerticle(reports).await();
    day(reports);
    clock.set(NEXT_DAY);
    reports.tickNow().await();
    assertTrue(reports.days().isEmpty(), "the counts are dropped with the day");
    assertFalse(Files.exists(dir.resolve("reports/0/2026-03-10.json")));
    assertEquals(null, server.pollInbound(200));
  }

  @Test
  void aReportIsPostedToAnHttpsDestinationWhoseCertificateVerifies() throws Exception {
    TestCa ca = TestCa.create("Postino Test CA", dir);
    BlockingQueue<JsonObject> posted = new LinkedBlockingQueue<>();
    HttpServer https = server.vertx.createHttpServer(new HttpServerOptions().setSsl(true).setHost("127.0.0.1").setPort(0)
            .setKeyCertOptions(reportServer(ca)))
        .requestHandler(req -> req.body().onSuccess(body -> {
          try {
            posted.add(new JsonObject().put("method", req.method().name()).put("path", req.path())
                .put("type", req.getHeader("Content-Type")).put("submitter", req.getHeader("TLS-Report-Submitter"))
                .put("report", ReceivedReport.gunzip(new ByteArrayInputStream(body.getBytes()))));
            req.response().setStatusCode(201).end();
          } catch (Exception e) {
            req.response().setStatusCode(400).end();
          }
        }));
    https.listen().await();
    dns.zone("_smtp._tls.dest.test. 300 IN TXT \"v=TLSRPTv1; rua=https://127.0.0.1:" + https.actualPort() + "/tlsrpt\"");
    TlsReports reports = reporter(List.of(ca.pemFile().toString()));
    server.vertx.deployVerticle(reports).await();
    day(reports);
    clock.set(NEXT_DAY);
    reports.tickNow().await();
    JsonObject post = posted.poll(10, TimeUnit.SECONDS);
    assertEquals("POST", post.getString("method"));
    assertEquals("/tlsrpt", post.getString("path"));
    assertEquals("application/tlsrpt+gzip", post.getString("type"));
    assertEquals("mx.test.example", post.getString("submitter"));
    assertEquals(Set.of(), ReportSchema.problems(post.getJsonObject("report")));
    assertTrue(reports.days().isEmpty());
  }

  @Test
  void aDestinationThatFailsIsTriedAgainABoundedNumberOfTimes() throws Exception {
    TestCa ca = TestCa.create("Postino Test CA", dir);
    BlockingQueue<String> requests = new LinkedBlockingQueue<>();
    HttpServer https = server.vertx.createHttpServer(new HttpServerOptions().setSsl(true).setHost("127.0.0.1").setPort(0)
            .setKeyCertOptions(reportServer(ca)))
        .requestHandler(req -> {
          requests.add(req.path());
          req.response().setStatusCode(503).end();
        });
    https.listen().await();
    dns.zone("_smtp._tls.dest.test. 300 IN TXT \"v=TLSRPTv1; rua=https://127.0.0.1:" + https.actualPort() + "/r\"");
    TlsReports reports = reporter(List.of(ca.pemFile().toString()));
    server.vertx.deployVerticle(reports).await();
    day(reports);
    clock.set(NEXT_DAY);
    for (int i = 1; i <= TlsReports.MAX_ATTEMPTS; i++) {
      reports.tickNow().await();
      assertEquals(i, requests.size());
      reports.tickNow().await();
      assertEquals(i, requests.size(), "not again before the retry interval");
      clock.advance(TlsReports.RETRY_AFTER);
    }
    assertTrue(reports.days().isEmpty(), "given up after " + TlsReports.MAX_ATTEMPTS + " tries");
    reports.tickNow().await();
    assertEquals(TlsReports.MAX_ATTEMPTS, requests.size());
  }

  @Test
  void anHttpsDestinationWithAnUntrustedCertificateIsNotSentTheReport() throws Exception {
    TestCa ca = TestCa.create("Postino Test CA", dir);
    BlockingQueue<String> requests = new LinkedBlockingQueue<>();
    HttpServer https = server.vertx.createHttpServer(new HttpServerOptions().setSsl(true).setHost("127.0.0.1").setPort(0)
            .setKeyCertOptions(reportServer(ca)))
        .requestHandler(req -> {
          requests.add(req.path());
          req.response().end();
        });
    https.listen().await();
    dns.zone("_smtp._tls.dest.test. 300 IN TXT \"v=TLSRPTv1; rua=https://127.0.0.1:" + https.actualPort() + "/r\"");
    TlsReports reports = reporter(List.of());
    server.vertx.deployVerticle(reports).await();
    day(reports);
    clock.set(NEXT_DAY);
    reports.tickNow().await();
    assertEquals(0, requests.size());
    DayCounts.Sending state = reports.days().get(LocalDate.parse("2026-03-10")).sending("dest.test");
    assertEquals(1, state.attempts);
    assertFalse(state.finished);
  }

  @Test
  void aDirectoryThatCannotHoldTheCountsFailsTheStartSayingWhatToDo() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
    TlsReports reports = new TlsReports(new TlsReports.Settings("mx.test.example", "o", "c", "s@mx.test.example", file,
        "postino.send", List.of()), lookups(server.vertx, dns), clock);
    Throwable e = server.vertx.deployVerticle(reports).transform(ar -> io.vertx.core.Future.succeededFuture(ar.cause()))
        .await();
    assertTrue(e != null && e.getMessage().contains("TLS reports: no place for the counts in " + file)
        && e.getMessage().contains("delivery.tlsPolicy.reports.directory"), String.valueOf(e));
  }

  private static JsonObject policy(JsonArray policies, String type) {
    for (int i = 0; i < policies.size(); i++) {
      JsonObject p = policies.getJsonObject(i);
      if (p.getJsonObject("policy").getString("policy-type").equals(type)) {
        return p;
      }
    }
    throw new AssertionError("no " + type + " policy in " + policies.encodePrettily());
  }

  /** The HTTPS report destination's certificate, for 127.0.0.1. */
  private static PemKeyCertOptions reportServer(TestCa ca) throws Exception {
    return ca.leaf("reports.test").dns("localhost").ip("127.0.0.1").issue().keyCertOptions();
  }
}
