package io.postino.dane;

import io.postino.bus.Route;
import io.postino.bus.RouteHost;
import io.postino.dns.ValidatedLookup;
import io.postino.tlspolicy.DaneLookup;
import io.postino.tlspolicy.TlsaRecord;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@link DaneLookup} over DNS: the TLSA records at {@code _<port>._tcp.<host>} (RFC 7672
 * section 2.2.3), asked only when the route's host names and the host's addresses were
 * DNSSEC-validated (section 2.2; the MX resolver marks them, {@code Route.dnssec()}), through a
 * validating resolver whose AD bit is believed ({@link ValidatedLookup}).
 * <ul>
 * <li>validated TLSA records: {@code SECURE} (the policy then uses those it can, RFC 7672 section 3.1.3);</li>
 * <li>validated NXDOMAIN or no TLSA record, an answer not validated, a route or host not
 * validated: {@code INSECURE}, no DANE (section 2.2.3);</li>
 * <li>no answer (SERVFAIL, which a validating resolver gives for bogus data, a timeout) for a
 * validated host: {@code FAILED}, the host is not used now (section 2.1.1), never in plaintext.</li>
 * </ul>
 * Nothing is cached here: the validating resolver caches by the records' TTLs, and identical
 * questions in flight are shared. A host that is a CNAME is looked up at its own name only (not
 * at the alias's target first, as section 2.2.3 allows).
 */
public final class TlsaLookup implements DaneLookup {

  private final ValidatedLookup dns;

  public TlsaLookup(ValidatedLookup dns) {
    this.dns = dns;
  }

  @Override
  public Future<TlsaAnswer> tlsa(Route route, RouteHost host) {
    if (!route.dnssec()) {
      return Future.succeededFuture(TlsaAnswer.insecure("the MX records of " + route.domain()
          + " are not DNSSEC-validated"));
    }
    if (!host.dnssec()) {
      return Future.succeededFuture(TlsaAnswer.insecure("the address records of " + host.name()
          + " are not DNSSEC-validated"));
    }
    String name = "_" + host.port() + "._tcp." + host.name();
    return dns.lookup(name, ValidatedLookup.TLSA).map(answer -> {
      if (!answer.validated()) {
        return TlsaAnswer.insecure("the TLSA answer for " + name + " is not DNSSEC-validated");
      }
      List<TlsaRecord> records = records(answer.ofType(ValidatedLookup.TLSA));
      return records.isEmpty() ? TlsaAnswer.insecure("no TLSA records at " + name) : TlsaAnswer.secure(records);
    }).otherwise(e -> TlsaAnswer.failed("no answer for the TLSA records at " + name + ": "
        + ValidatedLookup.describe(e)));
  }

  /** The TLSA records in wire form (RFC 6698 section 2.1): usage, selector, matching type, data. */
  static List<TlsaRecord> records(List<ValidatedLookup.Record> answers) {
    List<TlsaRecord> records = new ArrayList<>();
    for (ValidatedLookup.Record r : answers) {
      byte[] d = r.data();
      // a record too short for its three fields is malformed: none of its fields can be used
      if (d.length > 3) {
        records.add(new TlsaRecord(d[0] & 0xFF, d[1] & 0xFF, d[2] & 0xFF, Arrays.copyOfRange(d, 3, d.length)));
      }
    }
    return records;
  }
}
