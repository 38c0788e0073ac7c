package io.postino;

import io.postino.dane.TlsaLookup;
import io.postino.delivery.OutboundOptions;
import io.postino.dns.ValidatedLookup;
import io.postino.tlspolicy.DaneLookup;
import io.postino.tlspolicy.StsLookup;
import io.postino.tlspolicy.TlsPolicies;
import io.postino.tlspolicy.TlsReporter;
import io.vertx.core.Vertx;

/**
 * The TLS policy services of outbound delivery on a node, shared by every delivery verticle
 * instance (their caches with them): DANE's DNS, MTA-STS policies, and the TLS reports.
 */
record OutboundTls(TlsPolicies policies, TlsReporter reporter) {

  static OutboundTls create(Vertx vertx, PostinoOptions config) {
    OutboundOptions delivery = config.getDelivery();
    TlsReporter reporter = TlsReporter.NONE;
    // TLSA records are asked only when some domain may use DANE; its DNS servers are the MX resolver's
    DaneLookup dane = delivery.tlsSettings().usesDane()
        ? new TlsaLookup(ValidatedLookup.create(vertx, config.getDns())) : DaneLookup.NONE;
    StsLookup sts = StsLookup.NONE;
    return new OutboundTls(new TlsPolicies(delivery.tlsSettings(), dane, sts), reporter);
  }
}
