package io.postino.dns;

import io.netty.handler.codec.dns.DnsRecordType;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * Questions of any record type through the configured DNS servers ({@code dns.servers}, with the
 * failover, retries and sharing of identical questions of {@link DnsServers}), answered with the
 * records' data and whether DNSSEC validated them: the AD bit of a trusted resolver (one on
 * loopback, or any with {@code dns.trustAdBit}). For DANE's TLSA records. No caching: the
 * validating resolver caches. Non-blocking; thread-safe.
 */
public final class ValidatedLookup {

  /** The TLSA record type (RFC 6698 section 7.1). */
  public static final int TLSA = 52;

  /** One record of an answer: its type, TTL and data (for the owner's CNAME chain too). */
  public record Record(int type, long ttl, byte[] data) {
  }

  /**
   * An answer: its records (none for NXDOMAIN or no data), whether the name does not exist, and
   * whether a trusted resolver validated it.
   */
  public record Answer(List<Record> records, boolean nxdomain, boolean validated) {

    public Answer {
      records = List.copyOf(records);
    }

    /** The records of one type. */
    public List<Record> ofType(int type) {
      return records.stream().filter(r -> r.type() == type).toList();
    }
  }

  private final DnsServers servers;

  private ValidatedLookup(DnsServers servers) {
    this.servers = servers;
  }

  public static ValidatedLookup create(Vertx vertx, MxResolverOptions options) {
    return new ValidatedLookup(new DnsServers(vertx, options));
  }

  /**
   * The records of {@code type} at {@code name}. Fails when no server gave an answer (timeout,
   * SERVFAIL, which a validating resolver also gives for bogus data, REFUSED) once every server was
   * tried; NXDOMAIN is an answer.
   */
  public Future<Answer> lookup(String name, int type) {
    return servers.validated(DnsRecordType.valueOf(type), name).map(reply -> new Answer(
        reply.answers().stream().map(r -> new Record(r.type(), r.ttl(), r.data())).toList(),
        reply.rcode() == 3, reply.authenticData()));
  }

  /** A short description of a failed lookup. */
  public static String describe(Throwable failure) {
    return DnsServers.describe(failure);
  }
}
