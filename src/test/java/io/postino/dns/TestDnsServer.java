package io.postino.dns;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Master;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A small authoritative-and-recursive-looking DNS responder on 127.0.0.1 for tests: UDP and TCP
 * on the same ephemeral port, answering from a zone the test writes in zone-file syntax.
 *
 * <p>Like a recursive resolver, it answers a question about a CNAME with the CNAME and the
 * target's records of the asked type. It can be told to answer SERVFAIL, REFUSED or NXDOMAIN,
 * to stay silent, or to truncate UDP answers (so the client must retry over TCP), for every
 * question, for one name, or for one type of one name. A UDP answer may be as long as the query's
 * EDNS0 OPT record allows, 512 octets without one. Every question it receives is logged so
 * tests can count queries.
 *
 * <p>As a validating resolver would, it sets the AD bit on answers about the names the test
 * declares {@link #signed} (only when the query asked with the DO or AD bit, RFC 6840 section 5.7),
 * and logs which questions asked for it.
 */
public final class TestDnsServer implements AutoCloseable {

  /** How the server treats a question. */
  public enum Mode { ANSWER, SERVFAIL, REFUSED, NXDOMAIN, SILENT, TRUNCATE }

  /** One question received, over UDP or TCP. */
  public record Query(String name, String type, boolean tcp) {}

  /** Where a UDP query came from: its source port and its transaction id. */
  public record UdpSource(int port, int id) {}

  private final Map<Name, List<Record>> zone = new ConcurrentHashMap<>();
  private final Map<String, Mode> modeByName = new ConcurrentHashMap<>();
  private final List<Query> queries = new CopyOnWriteArrayList<>();
  private final List<UdpSource> udpSources = new CopyOnWriteArrayList<>();
  private final java.util.Set<String> signed = ConcurrentHashMap.newKeySet();
  private final List<Query> dnssecQueries = new CopyOnWriteArrayList<>();
  private final DatagramSocket udp;
  private final ServerSocket tcp;
  private volatile Mode mode = Mode.ANSWER;

  private TestDnsServer(DatagramSocket udp, ServerSocket tcp) {
    this.udp = udp;
    this.tcp = tcp;
    daemon("test-dns-udp", this::serveUdp);
    daemon("test-dns-tcp", this::serveTcp);
  }

  /** Starts a responder on 127.0.0.1, UDP and TCP on one free port. */
  public static TestDnsServer start() throws IOException {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    // UDP gets a free port first; TCP must share it, which can collide: retry on a new port.
    for (int attempt = 0; ; attempt++) {
      DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, 0));
      try {
        ServerSocket tcp = new ServerSocket(udp.getLocalPort(), 50, loopback);
        return new TestDnsServer(udp, tcp);
      } catch (IOException e) {
        udp.close();
        if (attempt == 20) {
          throw e;
        }
      }
    }
  }

  public int port() {
    return udp.getLocalPort();
  }

  /** {@code "127.0.0.1:port"}, the form {@link MxResolverOptions#setServers} takes. */
  public String address() {
    return "127.0.0.1:" + port();
  }

  /** Caching lookups (as SPF and DMARC make them) that ask this server only, quickly and once. */
  public DnsLookups lookups(io.vertx.core.Vertx vertx, java.time.Duration cacheTtl) {
    return DnsLookups.create(vertx, new MxResolverOptions().setServers(List.of(address())).setQueryTimeout(300)
        .setRetries(0), cacheTtl);
  }

  /** Adds records written as zone-file lines, e.g. {@code "example.org. 300 IN MX 10 mx.example.org."}. */
  public TestDnsServer zone(String... lines) {
    for (String line : lines) {
      try (InputStream in = new ByteArrayInputStream(line.getBytes(StandardCharsets.US_ASCII));
          Master master = new Master(in, Name.root, 300)) {
        for (Record r = master.nextRecord(); r != null; r = master.nextRecord()) {
          zone.computeIfAbsent(r.getName(), n -> new CopyOnWriteArrayList<>()).add(r);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return this;
  }

  /** Removes every record at {@code name} (e.g. to publish a changed one). */
  public TestDnsServer remove(String name) {
    try {
      zone.remove(Name.fromString(name.endsWith(".") ? name : name + "."));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** How every question is treated unless {@link #mode(String, Mode)} says otherwise for its name. */
  public TestDnsServer mode(Mode mode) {
    this.mode = mode;
    return this;
  }

  /** How questions about one name (any type) are treated. */
  public TestDnsServer mode(String name, Mode mode) {
    modeByName.put(key(name), mode);
    return this;
  }

  /** How questions of one type about one name are treated, e.g. {@code ("mx.example", "AAAA", SILENT)}. */
  public TestDnsServer mode(String name, String type, Mode mode) {
    modeByName.put(key(name) + " " + type, mode);
    return this;
  }

  /** Answers about these names (any type, NXDOMAIN and no data too) carry the AD bit: "validated". */
  public TestDnsServer signed(String... names) {
    for (String name : names) {
      signed.add(key(name));
    }
    return this;
  }

  /** No longer validated: the zone's signatures are gone (an insecure delegation). */
  public TestDnsServer unsigned(String... names) {
    for (String name : names) {
      signed.remove(key(name));
    }
    return this;
  }

  /** The questions that asked for DNSSEC (the DO bit of EDNS0, or the AD bit). */
  public List<Query> dnssecQueries() {
    return List.copyOf(dnssecQueries);
  }

  /** The source port and transaction id of every UDP query received, in order. */
  public List<UdpSource> udpSources() {
    return udpSources;
  }

  public List<Query> queries() {
    return List.copyOf(queries);
  }

  /** How many questions of this type about this name arrived, over UDP and TCP. */
  public long count(String name, String type) {
    String k = key(name);
    return queries.stream().filter(q -> q.name.equals(k) && q.type.equals(type)).count();
  }

  @Override
  public void close() throws IOException {
    udp.close();
    tcp.close();
  }

  private void serveUdp() {
    byte[] buffer = new byte[4096];
    while (!udp.isClosed()) {
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        udp.receive(packet);
        if (packet.getLength() >= 2) {
          udpSources.add(new UdpSource(packet.getPort(),
              ((packet.getData()[0] & 0xFF) << 8) | (packet.getData()[1] & 0xFF)));
        }
        byte[] reply = answer(Arrays.copyOf(packet.getData(), packet.getLength()), false);
        if (reply != null) {
          udp.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
        }
      } catch (IOException e) {
        if (!udp.isClosed()) {
          e.printStackTrace();
        }
      }
    }
  }

  private void serveTcp() {
    while (!tcp.isClosed()) {
      try {
        Socket socket = tcp.accept();
        daemon("test-dns-tcp-conn", () -> serveTcpConnection(socket));
      } catch (IOException e) {
        if (!tcp.isClosed()) {
          e.printStackTrace();
        }
      }
    }
  }

  private void serveTcpConnection(Socket socket) {
    try (socket;
        DataInputStream in = new DataInputStream(socket.getInputStream());
        DataOutputStream out = new DataOutputStream(socket.getOutputStream())) {
      while (true) {
        byte[] query = new byte[in.readUnsignedShort()];
        in.readFully(query);
        byte[] reply = answer(query, true);
        if (reply != null) {
          out.writeShort(reply.length);
          out.write(reply);
          out.flush();
        }
      }
    } catch (IOException endOfConnection) {
      // the client closed the connection or the server is closing
    }
  }

  /** The reply to one wire-format query, or null to stay silent. */
  private byte[] answer(byte[] wire, boolean overTcp) throws IOException {
    Message query = new Message(wire);
    Record question = query.getQuestion();
    String name = key(question.getName().toString());
    queries.add(new Query(name, Type.string(question.getType()), overTcp));
    boolean wantsAd = query.getHeader().getFlag(Flags.AD)
        || query.getOPT() != null && (query.getOPT().getFlags() & org.xbill.DNS.ExtendedFlags.DO) != 0;
    if (wantsAd) {
      dnssecQueries.add(new Query(name, Type.string(question.getType()), overTcp));
    }
    Mode m = modeByName.getOrDefault(name + " " + Type.string(question.getType()),
        modeByName.getOrDefault(name, mode));
    if (m == Mode.SILENT) {
      return null;
    }
    Message reply = new Message(query.getHeader().getID());
    reply.getHeader().setFlag(Flags.QR);
    reply.getHeader().setFlag(Flags.RA);
    if (query.getHeader().getFlag(Flags.RD)) {
      reply.getHeader().setFlag(Flags.RD);
    }
    reply.addRecord(question, Section.QUESTION);
    switch (m) {
      case SERVFAIL -> reply.getHeader().setRcode(Rcode.SERVFAIL);
      case REFUSED -> reply.getHeader().setRcode(Rcode.REFUSED);
      case NXDOMAIN -> reply.getHeader().setRcode(Rcode.NXDOMAIN);
      case TRUNCATE -> {
        if (overTcp) {
          fill(reply, question);
        } else {
          reply.getHeader().setFlag(Flags.TC);
        }
      }
      default -> fill(reply, question);
    }
    if (wantsAd && signed.contains(name) && reply.getRcode() != Rcode.SERVFAIL && reply.getRcode() != Rcode.REFUSED) {
      reply.getHeader().setFlag(Flags.AD);
    }
    // over UDP, as much as the query's EDNS0 OPT record allows (RFC 6891), 512 octets without one
    int udpLimit = query.getOPT() == null ? 512 : Math.max(512, query.getOPT().getPayloadSize());
    return reply.toWire(overTcp ? 65535 : udpLimit);
  }

  /** Answers from the zone, following CNAMEs as a recursive resolver would. */
  private void fill(Message reply, Record question) {
    Name name = question.getName();
    int type = question.getType();
    if (!zone.containsKey(name)) {
      reply.getHeader().setRcode(Rcode.NXDOMAIN);
      return;
    }
    for (int hops = 0; hops < 8 && name != null; hops++) {
      List<Record> records = zone.getOrDefault(name, List.of());
      Name next = null;
      for (Record r : records) {
        if (r.getType() == type) {
          reply.addRecord(r, Section.ANSWER);
        } else if (r instanceof CNAMERecord cname && type != Type.CNAME) {
          reply.addRecord(r, Section.ANSWER);
          next = cname.getTarget();
        }
      }
      name = next;
    }
  }

  private static String key(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  private static void daemon(String name, Runnable task) {
    Thread t = new Thread(task, name);
    t.setDaemon(true);
    t.start();
  }
}
