package io.postino;

import io.postino.delivery.OutboundOptions;
import io.postino.dns.DnsLookups;
import io.postino.mtasts.MtaStsPolicies;
import io.postino.tlspolicy.DaneLookup;
import io.postino.tlspolicy.StsLookup;
import io.postino.tlspolicy.TlsPolicies;
import io.postino.tlspolicy.TlsReporter;
import io.vertx.core.Vertx;
import java.time.Clock;

/**
 * The TLS policy services of outbound delivery on a node, shared by every delivery verticle
 * instance (their caches with them): DANE's DNS, MTA-STS policies, and the TLS reports.
 */
record OutboundTls(TlsPolicies policies, TlsReporter reporter) {

  static OutboundTls create(Vertx vertx, PostinoOptions config) {
    OutboundOptions delivery = config.getDelivery();
    TlsReporter reporter = TlsReporter.NONE;
    DaneLookup dane = DaneLookup.NONE;
    StsLookup sts = delivery.getTlsPolicy().isMtaSts() ? mtaSts(vertx, config, reporter) : StsLookup.NONE;
    return new OutboundTls(new TlsPolicies(delivery.tlsSettings(), dane, sts), reporter);
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
