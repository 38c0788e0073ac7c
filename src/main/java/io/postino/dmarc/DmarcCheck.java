package io.postino.dmarc;

import io.postino.authres.AuthResult;
import io.postino.authres.AuthorPolicy;
import io.postino.dmarc.DmarcRecord.Policy;
import io.postino.dns.DnsAnswer;
import io.postino.dns.DnsLookups;
import io.postino.dns.MxResolverOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntSupplier;

/**
 * DMARC (RFC 7489) for one message: the policy of its author domain, found at
 * {@code _dmarc.<From domain>} or else at {@code _dmarc.<organisational domain>} (section 6.6.3),
 * and whether an SPF pass (its MAIL FROM domain, or the HELO domain for the null sender) or a DKIM
 * pass ({@code d=}) is aligned with the From domain, relaxed or strict as the policy says. A
 * message that fails gets the policy's disposition ({@code sp} when the policy came from the
 * organisational domain of a subdomain), sampled by {@code pct} (a message left out of the sample
 * gets the next milder disposition, section 6.6.4), then mapped through the configured actions.
 * Thread-safe.
 */
public final class DmarcCheck implements AuthorPolicy {

  private final DnsLookups dns;
  private final DmarcOptions options;
  private final IntSupplier percentile;

  /** @param percentile a number from 0 to 99 for each message, for {@code pct} */
  DmarcCheck(DnsLookups dns, DmarcOptions options, IntSupplier percentile) {
    this.dns = dns;
    this.options = new DmarcOptions(options);
    this.percentile = percentile;
  }

  public static DmarcCheck create(Vertx vertx, DmarcOptions options, MxResolverOptions dnsOptions) {
    return new DmarcCheck(DnsLookups.create(vertx, dnsOptions, options.getCacheTtl()), options,
        () -> ThreadLocalRandom.current().nextInt(100));
  }

  @Override
  public Future<Outcome> evaluate(String authorDomain, List<AuthResult> results) {
    if (authorDomain == null) {
      return Future.succeededFuture(outcome(AuthResult.of("dmarc", "permerror", "no single From domain"),
          Disposition.ACCEPT, null));
    }
    String from = authorDomain.toLowerCase(Locale.ROOT);
    String org = OrganizationalDomain.of(from);
    return policy(from).compose(found -> found != null || org.equals(from) ? Future.succeededFuture(found)
        : policy(org)).map(found -> judge(from, org, found, results))
        .recover(failure -> Future.succeededFuture(outcome(AuthResult.of("dmarc", "temperror", failure.getMessage())
            .with("header.from", from), Disposition.ACCEPT, null)));
  }

  /** The policy published for a domain, with where it was found; null for none; fails for a DNS failure. */
  private Future<Found> policy(String domain) {
    return dns.txt("_dmarc." + domain).map(answer -> {
      if (answer.isTemporary()) {
        throw new IllegalStateException("DMARC record of " + domain + ": " + answer.temporary());
      }
      List<String> dmarc = dmarcRecords(answer);
      // several records or none: no policy here (section 6.6.3)
      DmarcRecord r = dmarc.size() == 1 ? DmarcRecord.parse(dmarc.get(0)) : null;
      return r == null ? null : new Found(domain, r);
    });
  }

  private static List<String> dmarcRecords(DnsAnswer answer) {
    return answer.records().stream().filter(DmarcRecord::isDmarc).toList();
  }

  private record Found(String domain, DmarcRecord record) {
  }

  private Outcome judge(String from, String org, Found found, List<AuthResult> results) {
    if (found == null) {
      return outcome(AuthResult.of("dmarc", "none", "no policy").with("header.from", from), Disposition.ACCEPT,
          null);
    }
    DmarcRecord r = found.record();
    boolean spfAligned = results.stream().filter(a -> a.is("spf", "pass") && a.property("smtp.mailfrom") != null)
        .anyMatch(a -> OrganizationalDomain.aligned(domainOf(a.property("smtp.mailfrom")), from, r.strictSpf()));
    boolean dkimAligned = results.stream().filter(a -> a.is("dkim", "pass") && a.property("header.d") != null)
        .anyMatch(a -> OrganizationalDomain.aligned(a.property("header.d"), from, r.strictDkim()));
    Policy policy = found.domain().equals(from) ? r.policy() : r.subdomainPolicy();
    String published = "p=" + r.policy().keyword() + " sp=" + r.subdomainPolicy().keyword();
    if (spfAligned || dkimAligned) {
      return outcome(AuthResult.of("dmarc", "pass", published + " dis=none").with("header.from", from),
          Disposition.ACCEPT, null);
    }
    Policy applied = policy;
    if (r.percent() < 100 && percentile.getAsInt() >= r.percent()) {
      applied = policy == Policy.REJECT ? Policy.QUARANTINE : Policy.NONE;
    }
    DmarcOptions.Action action = switch (applied) {
      case REJECT -> options.getRejectAction();
      case QUARANTINE -> options.getQuarantineAction();
      case NONE -> DmarcOptions.Action.NONE;
    };
    Disposition disposition = switch (action) {
      case REJECT -> Disposition.REJECT;
      case QUARANTINE -> Disposition.QUARANTINE;
      case NONE -> Disposition.ACCEPT;
    };
    String reason = "Email rejected per DMARC policy for " + found.domain();
    return outcome(AuthResult.of("dmarc", "fail", published + " dis=" + applied.keyword()).with("header.from", from),
        disposition, disposition == Disposition.ACCEPT ? null : reason);
  }

  @Override
  public String quarantineField(Outcome outcome) {
    if (outcome.disposition() != Disposition.QUARANTINE) {
      return null;
    }
    String from = outcome.results().get(0).property("header.from");
    return options.getQuarantineHeader() + ": DMARC policy of " + from + "\r\n";
  }

  private static String domainOf(String address) {
    return address.substring(address.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
  }

  private static Outcome outcome(AuthResult result, Disposition disposition, String reason) {
    return new Outcome(List.of(result), disposition, reason);
  }
}
