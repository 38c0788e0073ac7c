package io.postino;

import io.postino.dane.TlsaLookup;
import io.postino.delivery.OutboundOptions;
import io.postino.dns.DnsLookups;
import io.postino.dns.ValidatedLookup;
import io.postino.mtasts.MtaStsPolicies;
import io.postino.tlspolicy.DaneLookup;
import io.postino.tlspolicy.StsLookup;
import io.postino.tlspolicy.TlsPolicies;
import io.postino.tlspolicy.TlsReportOptions;
import io.postino.tlspolicy.TlsReporter;
import io.postino.tlsrpt.TlsReports;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The TLS policy services of outbound delivery on a node, shared by every delivery verticle
 * instance (their caches with them): DANE's DNS, MTA-STS policies, and the TLS reports.
 */
record OutboundTls(TlsPolicies policies, TlsReporter reporter) {

  static OutboundTls create(Vertx vertx, PostinoOptions config) {
    OutboundOptions delivery = config.getDelivery();
    TlsReporter reporter = tlsReports(vertx, config);
    // TLSA records are asked only when some domain may use DANE; its DNS servers are the MX resolver's
    DaneLookup dane = delivery.tlsSettings().usesDane()
        ? new TlsaLookup(ValidatedLookup.create(vertx, config.getDns())) : DaneLookup.NONE;
    StsLookup sts = delivery.getTlsPolicy().isMtaSts() ? mtaSts(vertx, config, reporter) : StsLookup.NONE;
    return new OutboundTls(new TlsPolicies(delivery.tlsSettings(), dane, sts), reporter);
  }

  /** What runs beside the delivery verticles (the TLS reports' timer and files): deployed before them. */
  List<Deployable> verticles() {
    return reporter instanceof Deployable v ? List.of(v) : List.of();
  }

  /** The daily TLS reports (RFC 8460), unless {@code delivery.tlsPolicy.reports} turns them off. */
  private static TlsReporter tlsReports(Vertx vertx, PostinoOptions config) {
    OutboundOptions delivery = config.getDelivery();
    TlsReportOptions options = delivery.getTlsPolicy().getReports();
    if (!options.isEnabled()) {
      return TlsReporter.NONE;
    }
    String host = config.getHostname();
    String postmaster = "postmaster@" + host;
    Path dir = options.getDirectory() != null ? Path.of(options.getDirectory())
        : config.getSpoolDirectory().resolve("tls-reports");
    TlsReports.Settings settings = new TlsReports.Settings(host,
        options.getOrganizationName() != null ? options.getOrganizationName() : host,
        options.getContactInfo() != null ? options.getContactInfo() : postmaster,
        options.getSender() != null ? options.getSender() : postmaster,
        dir, config.addresses().send(), delivery.getTrustedCertificates());
    // a report a day per domain: nothing to gain from caching the TLSRPT records
    return new TlsReports(settings, DnsLookups.create(vertx, config.resolverOptions(), Duration.ZERO),
        Clock.systemUTC());
  }


  /** MTA-STS policies through the node's DNS servers, kept under the spool directory's {@code mta-sts}. */
  private static StsLookup mtaSts(Vertx vertx, PostinoOptions config, TlsReporter reporter) {
    OutboundOptions delivery = config.getDelivery();
    return new MtaStsPolicies(vertx, DnsLookups.create(vertx, config.resolverOptions(), MtaStsPolicies.DNS_CACHE_TTL),
        reporter, new MtaStsPolicies.Settings(config.getSpoolDirectory().resolve("mta-sts"),
            delivery.getTlsPolicy().getMtaStsPort(), MtaStsPolicies.Settings.DEFAULT_FETCH_TIMEOUT,
            MtaStsPolicies.Settings.DEFAULT_REFRESH_INTERVAL, MtaStsPolicies.Settings.DEFAULT_RETRY_PAUSE,
            delivery.getTrustedCertificates()), Clock.systemUTC());
  }
}
