package io.postino.server;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An SMTP listener: the SMTP port, the submission port or the implicit-TLS port, as its
 * context's {@link ListenerPolicy} says. Deployed once per event loop; all instances listen on the
 * same port and Vert.x spreads connections across them. Each connection gets its own
 * {@link SmtpSession}.
 */
public final class SmtpServerVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(SmtpServerVerticle.class);

  private final ServerContext ctx;
  private final int port;
  private NetServer server;

  /**
   * @param port the port to listen on; -1 for a random port shared by every instance (Vert.x
   *     gives each instance its own random port for 0)
   */
  public SmtpServerVerticle(ServerContext ctx, int port) {
    this.ctx = ctx;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    NetServerOptions netOptions = new NetServerOptions()
        .setHost(ctx.options().getHost())
        .setPort(port)
        .setTcpNoDelay(true)
        .setReuseAddress(true);
    server = vertx.createNetServer(netOptions).connectHandler(this::connected);
    return server.listen();
  }

  /** The port actually bound (useful after listening on port 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private void connected(NetSocket socket) {
    SocketAddress remote = socket.remoteAddress();
    String ip = remote.hostAddress();
    switch (ctx.limiter().acquire(ip)) {
      case TOO_MANY_TOTAL -> refuse(socket, ip, io.postino.smtp.Replies.TOO_MANY_CONNECTIONS);
      case TOO_MANY_FROM_CLIENT -> refuse(socket, ip, io.postino.smtp.Replies.TOO_MANY_CONNECTIONS_FROM_YOU);
      case ACCEPTED -> {
        boolean trusted = ctx.policy().isTrusted(addressBytes(ip));
        new SmtpSession(vertx, socket, ctx, ip, trusted).start();
      }
    }
  }

  private void refuse(NetSocket socket, String ip, io.postino.smtp.SmtpReply reply) {
    log.info("connection from {} refused: {}", ip, reply.text());
    // on an implicit-TLS port the client expects a handshake, not plaintext: it only gets the close
    if (!ctx.listener().implicitTls()) {
      socket.write(io.vertx.core.buffer.Buffer.buffer(reply.encoded()));
    }
    socket.close();
  }

  private static byte[] addressBytes(String ip) {
    try {
      // a numeric literal: InetAddress parses it without any lookup
      return java.net.InetAddress.getByName(ip).getAddress();
    } catch (java.net.UnknownHostException e) {
      return new byte[0];
    }
  }
}
