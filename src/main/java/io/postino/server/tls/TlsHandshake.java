package io.postino.server.tls;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import java.util.Map;
import javax.net.ssl.SSLSession;

/**
 * One TLS handshake on a server connection, for STARTTLS (RFC 3207) or implicit TLS (RFC 8314).
 *
 * <p>Why not {@code NetSocket.upgradeToSsl}: in Vert.x 5.0.7, when several verticle instances share
 * a port, only the instance that bound it can upgrade; on every other instance {@code upgradeToSsl}
 * throws a {@code NullPointerException} (the instance has no SSL context manager). So the TLS
 * handler is put into the connection's Netty pipeline here, on whichever event loop the connection
 * lives, through {@link NetSocketInternal}; Vert.x then sees an ordinary TLS connection
 * ({@code isSsl()}, {@code sslSession()}).
 *
 * <p>SECURITY: for STARTTLS the handler is in place <em>before</em> the {@code 220} reply is
 * written, in Netty's start-TLS mode (the first write goes out in plaintext). Every byte the client
 * sends after the plaintext the server has already read therefore goes through TLS: plaintext
 * commands injected after STARTTLS (CVE-2011-0411) break the handshake instead of running. What the
 * server had already read in plaintext is the session's to discard.
 */
public final class TlsHandshake {

  static final String HANDLER_NAME = "ssl";

  private final SslHandler handler;
  private final Future<SSLSession> future;

  private TlsHandshake(SslHandler handler, Future<SSLSession> future) {
    this.handler = handler;
    this.future = future;
  }

  /**
   * Starts TLS on {@code socket}. Call it on the connection's event loop.
   *
   * @param startTls true for STARTTLS: the next write (the {@code 220} reply) still goes out in
   *     plaintext; false for implicit TLS
   * @param context  where the returned future completes (the session's context)
   * @throws IllegalStateException when the connection already has TLS or is not a Vert.x TCP socket
   */
  static TlsHandshake begin(NetSocket socket, SslContext sslContext, long timeoutMillis, boolean startTls,
      Context context) {
    if (!(socket instanceof NetSocketInternal internal)) {
      throw new IllegalStateException("not a Vert.x TCP connection: " + socket.getClass().getName());
    }
    ChannelHandlerContext chctx = internal.channelHandlerContext();
    ChannelPipeline pipeline = chctx.pipeline();
    if (pipeline.get(SslHandler.class) != null) {
      throw new IllegalStateException("TLS is already active");
    }
    SslHandler handler = new SslHandler(sslContext.newEngine(chctx.alloc()), startTls);
    handler.setHandshakeTimeoutMillis(timeoutMillis);
    Promise<SSLSession> promise = Promise.promise();
    handler.handshakeFuture().addListener(f -> context.runOnContext(v -> {
      if (f.isSuccess()) {
        promise.complete(handler.engine().getSession());
      } else {
        promise.fail(f.cause());
      }
    }));
    // first in the pipeline, as Vert.x places its own: every byte in and out goes through it
    String proxyDecoder = proxyHeaderDecoder(pipeline);
    if (proxyDecoder == null) {
      pipeline.addFirst(HANDLER_NAME, handler);
    } else {
      // Behind a load balancer the session starts while Netty's PROXY header decoder is still
      // first, about to pass on what came in the same read as the header (on implicit TLS, the
      // ClientHello): first would put TLS in front of those bytes, and they would miss it
      pipeline.addAfter(proxyDecoder, HANDLER_NAME, handler);
    }
    return new TlsHandshake(handler, promise.future());
  }

  /** The name of the PROXY protocol decoder still in the pipeline, or null; by name, as the codec is optional. */
  private static String proxyHeaderDecoder(ChannelPipeline pipeline) {
    for (Map.Entry<String, ChannelHandler> e : pipeline) {
      if (e.getValue().getClass().getName().equals("io.netty.handler.codec.haproxy.HAProxyMessageDecoder")) {
        return e.getKey();
      }
    }
    return null;
  }

  /**
   * True once the handshake has succeeded, even before {@link #future()} completes: the TLS
   * handler reports success before it passes on the first decrypted bytes.
   */
  public boolean isComplete() {
    return handler.handshakeFuture().isSuccess();
  }

  /** The negotiated session, once the handshake is done. */
  public SSLSession session() {
    return handler.engine().getSession();
  }

  /** Completes on the session's context when the handshake succeeds, fails when it does not. */
  public Future<SSLSession> future() {
    return future;
  }
}
