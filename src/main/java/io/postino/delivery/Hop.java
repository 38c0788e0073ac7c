package io.postino.delivery;

import io.postino.tlspolicy.TlsPolicy;
import io.postino.tlspolicy.TlsReporter;

/**
 * One address to try for a job, with the TLS policy a session to it follows and the scope its TLS
 * negotiation is reported in (null for an LMTP server of this site, which is not reported).
 */
record Hop(Target target, TlsPolicy tls, TlsReporter.Scope scope) {
}
