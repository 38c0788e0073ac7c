package io.postino.server.session;

import io.postino.smtp.SmtpReply;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;

/**
 * The way back to the client: replies collect in a buffer and go out in one write per batch of
 * input (pipelined commands get their replies together); a full write queue tells the session
 * that the client does not read; closing is graceful or, for a client that does not read, hard.
 * With {@link SocketReads}, the session's user of Vert.x internals. Not thread-safe: one per
 * session, on its event loop.
 */
final class ReplyChannel {

  private final NetSocket socket;
  private final SmtpSession session;
  /** The replies not sent yet; null when there are none, so that an idle session holds no buffer. */
  private Buffer out;
  private final Handler<Void> drained;

  ReplyChannel(NetSocket socket, SmtpSession session) {
    this.socket = socket;
    this.session = session;
    this.drained = v -> {
      socket.drainHandler(null);
      session.clientReadsAgain();
    };
  }

  void add(SmtpReply reply) {
    if (out == null) {
      out = Buffer.buffer(256);
    }
    out.appendBytes(reply.encodedBytes());
  }

  /**
   * Writes the replies added since the last send, if any.
   *
   * @return true when they filled the socket's write queue: the client does not read its replies
   */
  boolean send() {
    if (out == null) {
      return false;
    }
    Buffer b = out;
    out = null;
    socket.write(b);
    return socket.writeQueueFull();
  }

  /** Tells the session once the client has read enough of its replies for the write queue to drain. */
  void awaitDrain() {
    socket.drainHandler(drained);
  }

  /** Closes once the replies written so far are sent. */
  void closeGracefully() {
    socket.close();
  }

  /** Closes the connection now, dropping replies the client has not read. */
  void closeNow() {
    if (socket instanceof NetSocketInternal internal) {
      // from the handler nearest the socket: the close skips Vert.x's own handler, which would
      // wait for the unread replies to be flushed first
      internal.channelHandlerContext().pipeline().firstContext().close();
    } else {
      socket.close();
    }
  }
}
