package io.postino.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.dns.AbstractDnsOptPseudoRrRecord;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryEncoder;
import io.netty.handler.codec.dns.DatagramDnsResponseDecoder;
import io.netty.handler.codec.dns.DefaultDnsQuery;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.handler.codec.dns.TcpDnsQueryEncoder;
import io.netty.handler.codec.dns.TcpDnsResponseDecoder;
import io.netty.resolver.dns.DnsNameResolverTimeoutException;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.dns.DnsClientOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One question of any type to one DNS server, answered with the raw records of the answer section,
 * the response code and the AD bit: what Vert.x's {@code DnsClient} does not give. TXT records
 * must be read record by record (RFC 7208 section 3.3, RFC 6376 section 3.6.2.2: Vert.x flattens
 * their strings), and DANE needs TLSA records and whether the resolver validated them (RFC 7672
 * section 2.1).
 *
 * <p>Why this way: Netty's {@code DnsNameResolver} would give raw records, but it needs a Netty
 * event loop, which Vert.x exposes only through internal API, or a thread group of our own to own
 * and close per node. Here the wire format is Netty's public DNS codec (run in an
 * {@link EmbeddedChannel}, no thread) and the I/O is Vert.x's public {@link DatagramSocket} and
 * {@link NetClient}: what is ours is sending, matching the reply and the retry over TCP.
 *
 * <p>SECURITY, as {@link DnsServers}: every query goes out from a fresh ephemeral UDP port with a
 * random 16-bit id, and only a reply from the server's address and port with that id is taken.
 * The query carries an EDNS0 OPT record for a {@value #UDP_PAYLOAD}-octet UDP payload; a
 * truncated reply (TC bit) is asked again over TCP. A DNSSEC question sets the DO bit (RFC 3225)
 * and the AD bit (RFC 6840 section 5.7), so that a validating resolver says whether it validated
 * the answer; whether that is believed is {@link DnsServers}' decision, not this class's.
 */
final class RecordQuery {

  static final int UDP_PAYLOAD = 4096;
  /** The DO bit of the OPT record's flags (RFC 3225 section 3). */
  private static final long DNSSEC_OK = 0x8000;
  /** The AD bit among the header's Z bits as Netty numbers them (Z, AD, CD). */
  private static final int AUTHENTIC_DATA = 0b010;
  private static final SecureRandom IDS = new SecureRandom();

  /**
   * One record of an answer section: {@code data} is the record's data as sent; for an MX record,
   * {@code target} is the exchange's name (decompressed), else null.
   */
  record Rr(String owner, int type, long ttl, byte[] data, String target) {
  }

  /**
   * A server's answer: its response code (0 NOERROR, 3 NXDOMAIN...), whether it set the AD bit,
   * and the records of its answer section.
   */
  record Reply(int rcode, boolean authenticData, List<Rr> answers) {

    Reply {
      answers = List.copyOf(answers);
    }

    /** The records of one type (a CNAME chain's records are among the answers too). */
    List<Rr> ofType(int type) {
      return answers.stream().filter(r -> r.type() == type).toList();
    }

    /** The TXT records, one string per record, its character-strings joined. */
    List<String> txt() {
      List<String> records = new ArrayList<>();
      for (Rr r : ofType(DnsRecordType.TXT.intValue())) {
        StringBuilder text = new StringBuilder();
        byte[] d = r.data();
        for (int at = 0; at < d.length; ) {
          int length = d[at] & 0xFF;
          text.append(new String(d, at + 1, Math.min(length, d.length - at - 1), StandardCharsets.UTF_8));
          at += 1 + length;
        }
        records.add(text.toString());
      }
      return records;
    }
  }

  private RecordQuery() {
  }

  /**
   * The answer of {@code server} to {@code name}, {@code type}, whatever its response code; fails
   * with a {@link DnsNameResolverTimeoutException} when the server does not answer within its
   * query timeout.
   *
   * @param dnssec ask the server to say whether it validated the answer (DO and AD bits)
   */
  static Future<Reply> ask(Vertx vertx, DnsClientOptions server, String name, DnsRecordType type, boolean dnssec) {
    DnsQuestion question = new DefaultDnsQuestion(name, type);
    InetSocketAddress to = InetSocketAddress.createUnresolved(server.getHost(), server.getPort());
    int id = IDS.nextInt(0x10000);
    DatagramDnsQuery query = new DatagramDnsQuery(null, to, id);
    prepare(query, question, dnssec);
    Buffer wire = encode(new DatagramDnsQueryEncoder(), query);
    Promise<DnsResponse> reply = Promise.promise();
    DatagramSocket socket = vertx.createDatagramSocket();
    long[] timer = {-1};
    socket.handler(packet -> {
      if (packet.sender().port() == server.getPort() && sameHost(packet.sender().host(), server.getHost())) {
        DnsResponse r = decode(packet.data(), to);
        if (r != null && r.id() == id) {
          reply.tryComplete(r);
        } else {
          ReferenceCountUtil.release(r);
        }
      }
    });
    // the timeout runs from the sending, as Vert.x's client's: setting up the socket is not the server's delay
    socket.listen(0, server.getHost().indexOf(':') >= 0 ? "::" : "0.0.0.0")
        .compose(s -> s.send(wire, server.getPort(), server.getHost()))
        .onSuccess(sent -> timer[0] = vertx.setTimer(server.getQueryTimeout(), t -> reply.tryFail(
            new DnsNameResolverTimeoutException(to, question, "no answer in " + server.getQueryTimeout() + " ms"))))
        .onFailure(reply::tryFail);
    Future<DnsResponse> answered = reply.future().andThen(ar -> {
      vertx.cancelTimer(timer[0]);
      socket.close();
    }).compose(r -> r.isTruncated() ? released(r, overTcp(vertx, server, question, to, dnssec))
        : Future.succeededFuture(r));
    return answered.map(r -> {
      try {
        return new Reply(r.code().intValue(), (r.z() & AUTHENTIC_DATA) != 0, records(r));
      } finally {
        r.release();
      }
    });
  }

  /** The same question over TCP, for a reply that did not fit in UDP. */
  private static Future<DnsResponse> overTcp(Vertx vertx, DnsClientOptions server, DnsQuestion question,
      InetSocketAddress to, boolean dnssec) {
    NetClient client = vertx.createNetClient(new NetClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, server.getQueryTimeout())));
    Promise<DnsResponse> reply = Promise.promise();
    long timer = vertx.setTimer(server.getQueryTimeout(), t -> reply.tryFail(
        new DnsNameResolverTimeoutException(to, question, "no answer over TCP in " + server.getQueryTimeout() + " ms")));
    EmbeddedChannel decoder = new EmbeddedChannel(new TcpDnsResponseDecoder(new NameDecoder(), 64 * 1024));
    DefaultDnsQuery query = new DefaultDnsQuery(IDS.nextInt(0x10000));
    prepare(query, question, dnssec);
    client.connect(server.getPort(), server.getHost()).onSuccess(socket -> {
      socket.handler(data -> {
        try {
          decoder.writeInbound(Unpooled.wrappedBuffer(data.getBytes()));
          DnsResponse r = decoder.readInbound();
          if (r != null && !reply.tryComplete(r)) {
            r.release();
          }
        } catch (RuntimeException malformed) {
          reply.tryFail(malformed);
        }
      });
      socket.write(encode(new TcpDnsQueryEncoder(), query)).onFailure(reply::tryFail);
    }).onFailure(reply::tryFail);
    return reply.future().andThen(ar -> {
      vertx.cancelTimer(timer);
      decoder.finishAndReleaseAll();
      client.close();
    });
  }

  private static void prepare(DnsQuery query, DnsQuestion question, boolean dnssec) {
    query.setRecursionDesired(true);
    if (dnssec) {
      query.setZ(AUTHENTIC_DATA);
    }
    query.addRecord(DnsSection.QUESTION, question);
    query.addRecord(DnsSection.ADDITIONAL, new AbstractDnsOptPseudoRrRecord(UDP_PAYLOAD, 0, 0) {
      // Netty's OPT record has no setter for its flags: the DO bit is the high bit of the TTL field
      @Override
      public long timeToLive() {
        return dnssec ? super.timeToLive() | DNSSEC_OK : super.timeToLive();
      }
    });
  }

  private static Buffer encode(io.netty.channel.ChannelHandler encoder, DnsQuery query) {
    EmbeddedChannel channel = new EmbeddedChannel(encoder);
    try {
      channel.writeOutbound(query);
      Object out = channel.readOutbound();
      ByteBuf bytes = out instanceof io.netty.channel.socket.DatagramPacket p ? p.content() : (ByteBuf) out;
      try {
        return Buffer.buffer(ByteBufUtil.getBytes(bytes));
      } finally {
        ReferenceCountUtil.release(out);
      }
    } finally {
      channel.finishAndReleaseAll();
    }
  }

  /** The response in a datagram, or null for one that is not a DNS response. */
  private static DnsResponse decode(Buffer data, InetSocketAddress from) {
    EmbeddedChannel channel = new EmbeddedChannel(new DatagramDnsResponseDecoder(new NameDecoder()));
    try {
      channel.writeInbound(new io.netty.channel.socket.DatagramPacket(Unpooled.wrappedBuffer(data.getBytes()),
          new InetSocketAddress(0), from));
      return channel.readInbound();
    } catch (RuntimeException malformed) {
      return null;
    } finally {
      channel.finishAndReleaseAll();
    }
  }

  /**
   * Netty's record decoder, which also reads the target name of an MX record: it may be
   * compressed, pointing into the rest of the message, which only the decoder still has.
   */
  private static final class NameDecoder extends DefaultDnsRecordDecoder {
    @Override
    protected DnsRecord decodeRecord(String name, DnsRecordType type, int dnsClass, long timeToLive, ByteBuf in,
        int offset, int length) throws Exception {
      if (type == DnsRecordType.MX && length > 2) {
        String target = decodeName(in.duplicate().setIndex(offset + 2, offset + length));
        return new MxRawRecord(name, dnsClass, timeToLive, in.retainedDuplicate().setIndex(offset, offset + length),
            target);
      }
      return super.decodeRecord(name, type, dnsClass, timeToLive, in, offset, length);
    }
  }

  /** An MX record as raw data, with its target name read while the whole message was at hand. */
  private static final class MxRawRecord extends DefaultDnsRawRecord {
    final String target;

    MxRawRecord(String name, int dnsClass, long ttl, ByteBuf content, String target) {
      super(name, DnsRecordType.MX, dnsClass, ttl, content);
      this.target = target;
    }
  }

  private static List<Rr> records(DnsResponse response) {
    List<Rr> records = new ArrayList<>();
    for (int i = 0; i < response.count(DnsSection.ANSWER); i++) {
      DnsRecord r = response.recordAt(DnsSection.ANSWER, i);
      if (r instanceof DnsRawRecord raw) {
        String target = raw instanceof MxRawRecord mx ? mx.target : null;
        records.add(new Rr(r.name(), r.type().intValue(), r.timeToLive(), ByteBufUtil.getBytes(raw.content()),
            target));
      }
    }
    return records;
  }

  private static boolean sameHost(String sender, String configured) {
    byte[] a = NetUtil.createByteArrayFromIpAddressString(sender);
    byte[] b = NetUtil.createByteArrayFromIpAddressString(configured);
    return a != null && b != null ? Arrays.equals(a, b) : sender.equalsIgnoreCase(configured);
  }

  private static <T> Future<T> released(DnsResponse truncated, Future<T> next) {
    truncated.release();
    return next;
  }
}
