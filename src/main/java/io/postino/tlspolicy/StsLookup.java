package io.postino.tlspolicy;

import io.vertx.core.Future;

/** MTA-STS (RFC 8461): the policy a domain publishes for the mail sent to it. */
public interface StsLookup {

  /**
   * The domain's policy, from the cache or fetched; null when it has none. Never fails: a policy
   * that cannot be fetched, with none cached, is no policy (RFC 8461 section 5.1), and the failure
   * is reported through {@link TlsReporter} by the implementation.
   */
  Future<StsPolicy> policy(String domain);

  /** No MTA-STS: no domain has a policy. */
  StsLookup NONE = domain -> Future.succeededFuture(null);
}
