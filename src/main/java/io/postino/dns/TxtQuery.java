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
import io.vertx.core.dns.DnsException;
import io.vertx.core.dns.DnsResponseCode;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One TXT question to one DNS server, answered with one string per RECORD, that record's strings
 * joined (RFC 7208 section 3.3, RFC 6376 section 3.6.2.2, RFC 7489 section 6.6.3). Vert.x's
 * {@code DnsClient.resolveTXT} flattens the strings of all records into one list and offers no
 * access to the raw records, so a record split into several strings (any SPF record or DKIM key
 * over 255 octets) could not be told from several records.
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
 * truncated reply (TC bit) is asked again over TCP.
 */
final class TxtQuery {

  static final int UDP_PAYLOAD = 4096;
  private static final SecureRandom IDS = new SecureRandom();

  private TxtQuery() {
  }

  /**
   * The TXT records at {@code name} on {@code server}. Fails with a {@link DnsException} carrying the
   * response code for any answer but NOERROR, with a {@link DnsNameResolverTimeoutException} when
   * the server does not answer within its query timeout.
   */
  static Future<List<String>> ask(Vertx vertx, DnsClientOptions server, String name) {
    DnsQuestion question = new DefaultDnsQuestion(name, DnsRecordType.TXT);
    InetSocketAddress to = InetSocketAddress.createUnresolved(server.getHost(), server.getPort());
    int id = IDS.nextInt(0x10000);
    DatagramDnsQuery query = new DatagramDnsQuery(null, to, id);
    prepare(query, question);
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
    }).compose(r -> r.isTruncated() ? released(r, overTcp(vertx, server, question, to)) : Future.succeededFuture(r));
    return answered.compose(r -> {
      try {
        return r.code().intValue() == 0 ? Future.succeededFuture(records(r))
            : Future.failedFuture(new DnsException(DnsResponseCode.valueOf(r.code().intValue())));
      } finally {
        r.release();
      }
    });
  }

  /** The same question over TCP, for a reply that did not fit in UDP. */
  private static Future<DnsResponse> overTcp(Vertx vertx, DnsClientOptions server, DnsQuestion question,
      InetSocketAddress to) {
    NetClient client = vertx.createNetClient(new NetClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, server.getQueryTimeout())));
    Promise<DnsResponse> reply = Promise.promise();
    long timer = vertx.setTimer(server.getQueryTimeout(), t -> reply.tryFail(
        new DnsNameResolverTimeoutException(to, question, "no answer over TCP in " + server.getQueryTimeout() + " ms")));
    EmbeddedChannel decoder = new EmbeddedChannel(new TcpDnsResponseDecoder());
    DefaultDnsQuery query = new DefaultDnsQuery(IDS.nextInt(0x10000));
    prepare(query, question);
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

  private static void prepare(DnsQuery query, DnsQuestion question) {
    query.setRecursionDesired(true);
    query.addRecord(DnsSection.QUESTION, question);
    query.addRecord(DnsSection.ADDITIONAL, new AbstractDnsOptPseudoRrRecord(UDP_PAYLOAD, 0, 0) {
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
    EmbeddedChannel channel = new EmbeddedChannel(new DatagramDnsResponseDecoder());
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

  /** One string per TXT record of the answer section, its character-strings joined. */
  private static List<String> records(DnsResponse response) {
    List<String> records = new ArrayList<>();
    for (int i = 0; i < response.count(DnsSection.ANSWER); i++) {
      DnsRecord r = response.recordAt(DnsSection.ANSWER, i);
      if (r.type() == DnsRecordType.TXT && r instanceof DnsRawRecord raw) {
        ByteBuf content = raw.content();
        StringBuilder text = new StringBuilder();
        for (int at = content.readerIndex(); at < content.writerIndex(); ) {
          int length = content.getUnsignedByte(at);
          text.append(content.toString(at + 1, Math.min(length, content.writerIndex() - at - 1), StandardCharsets.UTF_8));
          at += 1 + length;
        }
        records.add(text.toString());
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
