package io.postino.server.session;

import io.postino.metrics.ListenerMeters;
import io.postino.metrics.Refusal;
import io.postino.server.ListenerPolicy;
import io.postino.server.ProxyProtocolOptions;
import io.postino.server.ServerContext;
import io.postino.smtp.Replies;
import io.postino.smtp.SmtpReply;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An SMTP listener: the SMTP port, the submission port or the implicit-TLS port, as its
 * context's {@link ListenerPolicy} says. Deployed once per event loop; all instances listen on the
 * same port and Vert.x spreads connections across them. Each connection gets its own
 * {@link SmtpSession}. The entry point of this package (see its package-info for why the listener
 * lives with the sessions).
 *
 * <p>Behind a load balancer ({@link ProxyProtocolOptions}) Vert.x reads the PROXY protocol header
 * before the connection reaches {@link #connected}: a connection without a valid header, or
 * silent past the timeout, is closed by Vert.x and never takes a session slot. The socket's {@code
 * remoteAddress()} is then the client the header names, and {@code remoteAddress(true)} the TCP
 * peer that sent it, which must be a trusted proxy. Vert.x's support rather than a Netty handler
 * of ours: both addresses are on its public {@code NetSocket}, so the peer is checked once the
 * header is parsed and refused before anything it sends is read as SMTP; a handler of ours could
 * check the peer before the header, but only by reaching into Vert.x's internal pipeline.
 * Everything a session decides on the client's address (relay, connection and AUTH limits, the
 * spool budget, logs, {@code Received:}) sees the client the header names.
 */
public final class SmtpServerVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(SmtpServerVerticle.class);

  /** Vert.x's shared random ports are negative numbers; each listener takes its own. */
  private static final AtomicInteger NEXT_SHARED_RANDOM_PORT = new AtomicInteger(-1);

  private final Supplier<ServerContext> contexts;
  private final int port;
  /** Null when the listener reads no PROXY protocol header; fixed at start, as the port is. */
  private final ProxyProtocolOptions proxy;
  private final ListenerMeters meters;
  private NetServer server;

  /**
   * A port number that makes Vert.x bind a random free port shared by every instance asking for
   * the same number, and by no other listener: a fresh one for each listener, so two listeners
   * (or two Postinos in one Vert.x) never end up on the same port.
   */
  public static int sharedRandomPort() {
    return NEXT_SHARED_RANDOM_PORT.getAndDecrement();
  }

  /**
   * @param contexts the context of each new session (a reload changes it; a session keeps its own)
   * @param port the port to listen on; a {@link #sharedRandomPort()} for a random port shared by
   *     every instance (for 0 Vert.x would give each instance a port of its own)
   * @param proxy the PROXY protocol of a listener behind a load balancer; null for none
   */
  public SmtpServerVerticle(Supplier<ServerContext> contexts, int port, ProxyProtocolOptions proxy) {
    this.contexts = contexts;
    this.port = port;
    this.proxy = proxy;
    // a reload gives new contexts, never new meters: the listener's are taken once
    this.meters = contexts.get().meters();
  }

  @Override
  public Future<?> start() {
    NetServerOptions netOptions = new NetServerOptions()
        .setHost(contexts.get().options().getHost())
        .setPort(port)
        .setTcpNoDelay(true)
        .setReuseAddress(true);
    if (proxy != null) {
      netOptions.setUseProxyProtocol(true)
          .setProxyProtocolTimeout(proxy.getTimeout().toMillis())
          .setProxyProtocolTimeoutUnit(TimeUnit.MILLISECONDS);
    }
    server = vertx.createNetServer(netOptions).connectHandler(this::connected);
    if (proxy != null) {
      if (!haproxyCodecPresent()) {
        // Vert.x would listen without reading headers, and take each for a bad command
        return Future.failedFuture(new IllegalStateException(
            "the PROXY protocol needs io.netty:netty-codec-haproxy on the class path"));
      }
      // Vert.x has closed the connection already; the cause says what was wrong with the header
      server.exceptionHandler(e -> log.info("PROXY protocol: connection closed: {}", rootMessage(e)));
    }
    return server.listen();
  }

  /** The port actually bound (useful after listening on port 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private void connected(NetSocket socket) {
    SocketAddress remote = client(socket);
    String ip = remote.hostAddress();
    ServerContext ctx = contexts.get();
    if (proxy != null) {
      // Vert.x has taken the header from whoever sent one: only now can the sender be checked
      SocketAddress peer = socket.remoteAddress(true);
      if (!proxy.isTrusted(addressBytes(peer.hostAddress()))) {
        log.debug("PROXY protocol: {}:{} claimed to forward {}:{}", peer.hostAddress(), peer.port(), ip, remote.port());
        refuse(ctx, socket, peer, Replies.UNTRUSTED_PROXY, Refusal.PROXY);
        return;
      }
    }
    if (ctx.sessions().isStopping()) {
      refuse(ctx, socket, remote, Replies.SHUTTING_DOWN, Refusal.CONNECTIONS);
      return;
    }
    switch (ctx.limiter().acquire(ip)) {
      case TOO_MANY_TOTAL -> refuse(ctx, socket, remote, Replies.TOO_MANY_CONNECTIONS, Refusal.CONNECTIONS);
      case TOO_MANY_FROM_CLIENT ->
          refuse(ctx, socket, remote, Replies.TOO_MANY_CONNECTIONS_FROM_YOU, Refusal.CONNECTIONS);
      case ACCEPTED -> {
        boolean trusted = ctx.policy().isTrusted(addressBytes(ip));
        new SmtpSession(vertx, socket, ctx, meters, ip, trusted).start();
      }
    }
  }

  /**
   * The client: the address the PROXY header names, else the peer. A header may name none (a
   * balancer's health check sends LOCAL or UNKNOWN) or a Unix socket's path: the connection is
   * then the balancer's own, as the protocol asks.
   */
  private static SocketAddress client(NetSocket socket) {
    SocketAddress named = socket.remoteAddress();
    return named != null && named.isInetSocket() ? named : socket.remoteAddress(true);
  }

  /** Netty wraps what the header's decoder found wrong; the innermost message says it. */
  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage();
  }

  private static boolean haproxyCodecPresent() {
    try {
      Class.forName("io.netty.handler.codec.haproxy.HAProxyMessageDecoder");
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private void refuse(ServerContext ctx, NetSocket socket, SocketAddress remote, SmtpReply reply, Refusal reason) {
    // the form of a session's refusals (SessionLog), for a connection that gets no session
    log.info("NOQUEUE: reject: CONNECT from unknown[{}]:{}: {}", remote.hostAddress(), remote.port(),
        SessionLog.text(reply));
    meters.refused(reason);
    // on an implicit-TLS port the client expects a handshake, not plaintext: it only gets the close
    if (!ctx.listener().implicitTls()) {
      socket.write(Buffer.buffer(reply.encoded()));
    }
    socket.close();
  }

  private static byte[] addressBytes(String ip) {
    try {
      // a numeric literal: InetAddress parses it without any lookup
      return InetAddress.getByName(ip).getAddress();
    } catch (UnknownHostException e) {
      return new byte[0];
    }
  }
}
