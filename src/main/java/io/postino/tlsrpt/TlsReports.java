package io.postino.tlsrpt;

import io.postino.dns.DnsLookups;
import io.postino.tlspolicy.TlsReporter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SMTP TLS reporting (RFC 8460) on a delivery node: the {@link TlsReporter} every delivery verticle
 * instance records its sessions with, and the verticle that keeps the counts and sends the reports.
 *
 * <p>{@link #record} runs on the delivery event loops for every session: it only adds to in-memory
 * counters (per UTC day, per policy). Every {@link #TICK} and when the verticle stops, the days that
 * changed are written to their files on a worker ({@link ReportStore}), so a restart loses at most
 * a minute of counts; a start reads them back.
 *
 * <p>A day's reports go once the day is over, after a random delay of {@link #MIN_DELAY} to
 * {@link #MAX_DELAY} (so that senders do not all post at midnight), and at start for the days
 * not reported yet: per policy domain, its {@code _smtp._tls} TXT record is looked up, and the
 * report is sent to each {@code mailto:} and {@code https:} destination ({@link ReportTransport}).
 * A domain without a record gets nothing, and its counts go with the day. A destination that
 * fails is tried again {@link #RETRY_AFTER} later, {@link #MAX_ATTEMPTS} times in all.
 *
 * <p>Each delivery node of a cluster counts and reports its own sessions, with its own report
 * ids: a domain may get one report per delivery node and day.
 */
public final class TlsReports extends VerticleBase implements TlsReporter {

  private static final Logger log = LoggerFactory.getLogger(TlsReports.class);

  static final Duration TICK = Duration.ofMinutes(1);
  static final Duration MIN_DELAY = Duration.ofMinutes(5);
  static final Duration MAX_DELAY = Duration.ofMinutes(65);
  static final Duration RETRY_AFTER = Duration.ofHours(1);
  static final int MAX_ATTEMPTS = 5;

  /**
   * What the reports say and where they go.
   *
   * @param submitter           the node's host name: the reports' submitter
   * @param organization        the reports' {@code organization-name}
   * @param contact             the reports' {@code contact-info}
   * @param sender              the From and envelope sender of reports sent by mail
   * @param directory           where the counts are kept (in numbered slots)
   * @param sendAddress         the {@code postino.send} address of the event bus
   * @param trustedCertificates PEM files that replace the JVM's authorities for HTTPS destinations
   */
  public record Settings(String submitter, String organization, String contact, String sender, Path directory,
      String sendAddress, List<String> trustedCertificates) {
  }

  private final Settings settings;
  private final DnsLookups dns;
  private final Clock clock;
  private final Map<LocalDate, DayCounts> days = new ConcurrentHashMap<>();
  private volatile boolean dirty;
  /** Opened at start when the directory exists, else with the first counts to keep; on workers. */
  private volatile ReportStore store;
  private boolean started;
  private WebClient web;
  private ReportTransport transport;
  private long timer = -1;
  /** The tick under way (a flush, then the reports due), which the next one and stop wait for. */
  private Future<Void> running = Future.succeededFuture();

  public TlsReports(Settings settings, DnsLookups dns, Clock clock) {
    this.settings = settings;
    this.dns = dns;
    this.clock = clock;
  }

  @Override
  public void record(Attempt attempt) {
    LocalDate day = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    DayCounts counts = days.get(day);
    if (counts == null) {
      counts = days.computeIfAbsent(day, TlsReports::newDay);
    }
    counts.add(attempt);
    dirty = true;
  }

  private static DayCounts newDay(LocalDate day) {
    long delay = ThreadLocalRandom.current().nextLong(MIN_DELAY.toSeconds(), MAX_DELAY.toSeconds());
    return DayCounts.empty(day, HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()),
        AggregateReport.start(day.plusDays(1)).plusSeconds(delay));
  }

  @Override
  public Future<?> start() {
    WebClientOptions options = new WebClientOptions().setFollowRedirects(false)
        .setConnectTimeout((int) ReportTransport.TIMEOUT.toMillis()).setUserAgent("Postino TLS-RPT");
    if (!settings.trustedCertificates().isEmpty()) {
      PemTrustOptions trust = new PemTrustOptions();
      settings.trustedCertificates().forEach(trust::addCertPath);
      options.setTrustOptions(trust);
    }
    web = WebClient.create(vertx, options);
    transport = new ReportTransport(vertx, web, settings.sendAddress(), settings.sender(), clock);
    List<String> unreadable = new ArrayList<>();
    // a directory that is not there yet is made with the first counts: a node that never
    // delivers (or a delivery node whose spool is not mounted yet) leaves nothing behind
    return vertx.executeBlocking(() -> {
      if (!Files.exists(settings.directory())) {
        return new Loaded(null, List.<byte[]>of());
      }
      ReportStore s = ReportStore.open(settings.directory());
      try {
        return new Loaded(s, s.load(unreadable));
      } catch (Exception e) {
        s.close();
        throw e;
      }
    }).recover(e -> Future.failedFuture(new java.io.IOException("TLS reports: no place for the counts in "
        + settings.directory() + " (" + e.getMessage() + "); set delivery.tlsPolicy.reports.directory, or turn the "
        + "reports off with delivery.tlsPolicy.reports.enabled: false", e))).map(loaded -> {
      store = loaded.store();
      loaded.days().forEach(bytes -> restore(bytes, unreadable));
      unreadable.forEach(u -> log.warn("TLS report counts not read back: {}", u));
      log.info("TLS reports: counts kept in {}, {} day(s) not reported yet",
          store == null ? settings.directory() : store.directory(), days.size());
      started = true;
      timer = vertx.setPeriodic(TICK.toMillis(), id -> tick());
      tick();
      return null;
    });
  }

  private record Loaded(ReportStore store, List<byte[]> days) {
  }

  private void restore(byte[] bytes, List<String> unreadable) {
    try {
      JsonObject json = new JsonObject(io.vertx.core.buffer.Buffer.buffer(bytes));
      DayCounts file = DayCounts.fromJson(json);
      DayCounts mine = days.putIfAbsent(file.day(), file);
      if (mine != null) {
        mine.addAll(json);
        mine.sending().putAll(file.sending());
      }
    } catch (RuntimeException e) {
      unreadable.add(e.getMessage());
    }
  }

  @Override
  public Future<?> stop() {
    if (!started) {
      // the start failed: nothing kept, nothing to write
      if (web != null) {
        web.close();
      }
      return Future.succeededFuture();
    }
    vertx.cancelTimer(timer);
    return running.eventually(() -> flush())
        .eventually(() -> vertx.executeBlocking(() -> {
          if (store != null) {
            store.close();
          }
          return null;
        }))
        .andThen(ar -> web.close());
  }

  /** Writes the counts, then sends the reports that are due; one at a time. */
  Future<Void> tick() {
    running = running.eventually(() -> flush().compose(v -> sendDue()).compose(v -> flush()));
    return running;
  }

  /** Writes every day kept to its file, when anything changed since the last time. */
  Future<Void> flush() {
    if (!dirty) {
      return Future.succeededFuture();
    }
    dirty = false;
    Map<LocalDate, byte[]> snapshot = new java.util.TreeMap<>();
    days.forEach((day, counts) -> snapshot.put(day, counts.toJson().toBuffer().getBytes()));
    return vertx.<Void>executeBlocking(() -> {
      if (store == null) {
        store = ReportStore.open(settings.directory());
      }
      for (Map.Entry<LocalDate, byte[]> e : snapshot.entrySet()) {
        store.save(e.getKey(), e.getValue());
      }
      store.sync();
      return null;
    }).onFailure(e -> {
      dirty = true;
      log.warn("TLS report counts not written to {}: {}", settings.directory(), e.toString());
    }).recover(e -> Future.succeededFuture());
  }

  /** Sends the reports of the days over whose time has come, one domain after the other. */
  Future<Void> sendDue() {
    Instant now = clock.instant();
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    Future<Void> chain = Future.succeededFuture();
    for (DayCounts day : new java.util.TreeMap<>(days).values()) {
      if (!day.day().isBefore(today) || now.isBefore(day.sendAt())) {
        continue;
      }
      for (String domain : day.domains()) {
        DayCounts.Sending s = day.sending(domain);
        if (!s.finished && (s.next == null || !now.isBefore(s.next))) {
          chain = chain.compose(v -> report(day, domain, s, now));
        }
      }
      chain = chain.compose(v -> day.finished() ? forget(day) : Future.succeededFuture());
    }
    return chain;
  }

  /** One domain's report of one day, to each destination that does not have it yet. */
  private Future<Void> report(DayCounts day, String domain, DayCounts.Sending s, Instant now) {
    s.attempts++;
    dirty = true;
    return dns.txt(RuaRecord.name(domain)).compose(answer -> {
      if (answer.isTemporary()) {
        return Future.failedFuture("the TLSRPT record could not be looked up: " + answer.temporary());
      }
      List<String> destinations = RuaRecord.destinations(answer.records());
      if (destinations.isEmpty()) {
        log.debug("TLS report for {} ({}) not sent: no TLSRPT record", domain, day.day());
        s.finished = true;
        return Future.succeededFuture();
      }
      AggregateReport report = AggregateReport.of(day, domain, settings.submitter(), settings.organization(),
          settings.contact());
      List<String> failed = new ArrayList<>();
      Future<Void> chain = Future.succeededFuture();
      for (String destination : destinations) {
        if (!s.delivered.contains(destination)) {
          chain = chain.compose(v -> transport.send(report, destination).transform(ar -> {
            if (ar.succeeded()) {
              s.delivered.add(destination);
              log.info("TLS report {} for {} ({}) sent to {}: {}", report.reportId(), domain, day.day(), destination,
                  ar.result());
            } else {
              failed.add(destination + ": " + ar.cause().getMessage());
            }
            return Future.succeededFuture();
          }));
        }
      }
      return chain.compose(v -> failed.isEmpty() ? Future.<Void>succeededFuture()
          : Future.<Void>failedFuture(String.join("; ", failed)));
    }).onSuccess(v -> s.finished = true).recover(e -> {
      if (s.attempts >= MAX_ATTEMPTS) {
        s.finished = true;
        log.warn("TLS report for {} ({}) not sent, given up after {} tries: {}", domain, day.day(), s.attempts,
            e.getMessage());
      } else {
        s.next = now.plus(RETRY_AFTER);
        log.warn("TLS report for {} ({}) not sent (try {} of {}), next try at {}: {}", domain, day.day(), s.attempts,
            MAX_ATTEMPTS, s.next, e.getMessage());
      }
      return Future.succeededFuture();
    });
  }

  /** A day whose reports are all done with: its counts and its file go. */
  private Future<Void> forget(DayCounts day) {
    days.remove(day.day());
    return vertx.<Void>executeBlocking(() -> {
      if (store != null) {
        store.delete(day.day());
        store.sync();
      }
      return null;
    }).recover(e -> {
      log.warn("TLS report counts of {} not deleted from {}: {}", day.day(), settings.directory(), e.toString());
      return Future.succeededFuture();
    });
  }

  /** A tick now, on this verticle's context, instead of waiting for the timer. */
  Future<Void> tickNow() {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    context.runOnContext(v -> tick().onComplete(done));
    return done.future();
  }

  /** The days kept and not reported yet. */
  Map<LocalDate, DayCounts> days() {
    return days;
  }
}
