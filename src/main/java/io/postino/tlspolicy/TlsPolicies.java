package io.postino.tlspolicy;

import io.postino.bus.Route;
import io.postino.bus.RouteHost;
import io.postino.tlspolicy.DaneLookup.TlsaAnswer;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides the TLS policy of each host a domain's mail may go to, before connecting, in this order:
 * <ol>
 * <li>DANE (RFC 7672), where the route is DNSSEC-secure and the host has usable TLSA records: it
 * takes precedence over MTA-STS (RFC 8461 section 2). A secure route whose TLSA lookup fails leaves
 * the host unused for now (4.7.5), never in plaintext; {@code dane-only} leaves unused a host
 * without DANE.</li>
 * <li>MTA-STS {@code enforce} (RFC 8461): a host the policy lists gets verified TLS, one it does not
 * list is not used. Not for a static route: a smarthost is not one of the domain's MX hosts.</li>
 * <li>The configuration's {@code requireTlsDomains}: verified TLS.</li>
 * <li>MTA-STS {@code testing}: opportunistic TLS, the check made and reported only.</li>
 * <li>{@code verifyCertificates}, then opportunistic TLS ({@code starttls}), then plaintext.</li>
 * </ol>
 * Both lookups are asked at once; neither ever fails the decision.
 */
public final class TlsPolicies {

  private static final Future<TlsaAnswer> DANE_OFF = Future.succeededFuture(TlsaAnswer.insecure("DANE is off"));
  private static final Future<StsPolicy> NO_POLICY = Future.succeededFuture();

  private final TlsSettings settings;
  private final DaneLookup dane;
  private final StsLookup sts;

  public TlsPolicies(TlsSettings settings, DaneLookup dane, StsLookup sts) {
    this.settings = settings;
    this.dane = dane;
    this.sts = sts;
  }

  /** The settings the decisions follow. */
  public TlsSettings settings() {
    return settings;
  }

  /**
   * The policy of each host of {@code route}. Never fails. When neither DANE nor MTA-STS has a
   * lookup pending (both off for the domain, a static route, or answers already cached), the
   * future comes back completed.
   */
  public Future<Destination> forRoute(Route route) {
    String domain = route.domain();
    TlsSettings.Dane daneMode = settings.daneFor(domain);
    List<Future<TlsaAnswer>> answers = new ArrayList<>(route.hosts().size());
    boolean ready = true;
    for (RouteHost host : route.hosts()) {
      Future<TlsaAnswer> answer = daneMode == TlsSettings.Dane.NONE ? DANE_OFF
          : dane.tlsa(route, host).otherwise(e -> TlsaAnswer.failed(String.valueOf(e.getMessage())));
      ready &= answer.isComplete();
      answers.add(answer);
    }
    // a static route (a smarthost) does not go to the domain's MX hosts, which MTA-STS is about
    Future<StsPolicy> policy = settings.mtaSts() && route.source() != Route.Source.STATIC
        ? sts.policy(domain).otherwise((StsPolicy) null) : NO_POLICY;
    if (ready && policy.isComplete()) {
      return Future.succeededFuture(decide(route, daneMode, answers, policy));
    }
    return Future.join(answers).transform(ignored -> policy)
        .transform(ar -> Future.succeededFuture(decide(route, daneMode, answers, policy)));
  }

  /** The destination once every lookup has completed. */
  private Destination decide(Route route, TlsSettings.Dane daneMode, List<Future<TlsaAnswer>> answers,
      Future<StsPolicy> policy) {
    String domain = route.domain();
    StsPolicy p = policy.succeeded() ? policy.result() : null;
    List<Destination.HostPolicy> hosts = new ArrayList<>(answers.size());
    for (int i = 0; i < route.hosts().size(); i++) {
      Future<TlsaAnswer> a = answers.get(i);
      TlsaAnswer answer = a.succeeded() ? a.result() : TlsaAnswer.failed(String.valueOf(a.cause()));
      hosts.add(hop(domain, daneMode, route.hosts().get(i), answer, p));
    }
    return new Destination(domain, hosts);
  }

  private Destination.HostPolicy hop(String domain, TlsSettings.Dane daneMode, RouteHost host, TlsaAnswer answer,
      StsPolicy policy) {
    String name = host.name();
    List<TlsaRecord> usable = answer.usable();
    if (answer.status() == DaneLookup.Status.FAILED) {
      return new Destination.HostPolicy(host, new TlsPolicy.Unusable("dane", "4.7.5",
          "the TLSA records of " + name + " could not be looked up securely: " + answer.reason(), "dnssec-invalid"),
          tlsaScope(domain, List.of()));
    }
    if (answer.status() == DaneLookup.Status.SECURE && !usable.isEmpty()) {
      List<String> names = name.equalsIgnoreCase(domain) ? List.of(name) : List.of(name, domain);
      return new Destination.HostPolicy(host, new TlsPolicy.Dane(usable, names), tlsaScope(domain, usable));
    }
    if (daneMode == TlsSettings.Dane.DANE_ONLY) {
      return new Destination.HostPolicy(host, new TlsPolicy.Unusable("dane", "4.7.5",
          name + " has no usable DNSSEC-validated TLSA records, and mail for " + domain + " requires DANE",
          answer.status() == DaneLookup.Status.SECURE ? "tlsa-invalid" : "dane-required"),
          tlsaScope(domain, answer.records()));
    }
    if (policy != null && policy.mode() == StsPolicy.Mode.ENFORCE) {
      TlsPolicy p = policy.matches(name) ? new TlsPolicy.Pkix(TlsPolicy.Pkix.MTA_STS, true, true)
          : new TlsPolicy.Unusable(TlsPolicy.Pkix.MTA_STS, "4.7.5",
              name + " is not an MX host the MTA-STS policy of " + domain + " lists", "validation-failure");
      return new Destination.HostPolicy(host, p, stsScope(domain, policy));
    }
    if (settings.requiresTls(domain)) {
      return new Destination.HostPolicy(host, new TlsPolicy.Pkix(TlsPolicy.Pkix.VERIFY, true, true),
          TlsReporter.Scope.noPolicy(domain));
    }
    if (policy != null && policy.mode() == StsPolicy.Mode.TESTING) {
      return new Destination.HostPolicy(host, new TlsPolicy.Pkix(TlsPolicy.Pkix.MTA_STS, false, false),
          stsScope(domain, policy));
    }
    TlsPolicy p = settings.verifyCertificates() ? new TlsPolicy.Pkix(TlsPolicy.Pkix.VERIFY, false, true)
        : settings.starttls() ? new TlsPolicy.Opportunistic() : new TlsPolicy.Plaintext();
    return new Destination.HostPolicy(host, p, TlsReporter.Scope.noPolicy(domain));
  }

  private static TlsReporter.Scope tlsaScope(String domain, List<TlsaRecord> records) {
    return new TlsReporter.Scope(domain, "tlsa", records.stream().map(TlsaRecord::toString).toList(), List.of());
  }

  private static TlsReporter.Scope stsScope(String domain, StsPolicy policy) {
    List<String> lines = policy.text() == null ? List.of() : policy.text().lines().map(String::strip)
        .filter(l -> !l.isEmpty()).toList();
    return new TlsReporter.Scope(domain, "sts", lines, policy.mx());
  }
}
