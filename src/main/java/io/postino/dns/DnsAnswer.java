package io.postino.dns;

import java.util.List;

/**
 * The outcome of one DNS question, which never fails as a future: the records found (possibly
 * none: the name exists without records of the type), or that the name does not exist (NXDOMAIN,
 * a permanent answer), or a temporary failure (timeout, SERVFAIL, REFUSED once every server was
 * tried) that asking again later may cure. SPF counts the first two without records as "void"
 * (RFC 7208 section 4.6.4); DKIM and DMARC treat them as "no record".
 *
 * @param records   the records' values (TXT records with their strings joined, addresses, host names), empty for none
 * @param nxdomain  the name does not exist
 * @param temporary why the question failed for now, or null when it has an answer
 */
public record DnsAnswer(List<String> records, boolean nxdomain, String temporary) {

  public DnsAnswer {
    records = List.copyOf(records);
  }

  static DnsAnswer of(List<String> records) {
    return new DnsAnswer(records, false, null);
  }

  static DnsAnswer failed(Throwable failure) {
    return DnsServers.isNxDomain(failure) ? new DnsAnswer(List.of(), true, null)
        : new DnsAnswer(List.of(), false, DnsServers.describe(failure));
  }

  /** A temporary failure: no answer to act on. */
  public boolean isTemporary() {
    return temporary != null;
  }

  /** An answer with no records: NXDOMAIN or no data. */
  public boolean isVoid() {
    return temporary == null && records.isEmpty();
  }
}
