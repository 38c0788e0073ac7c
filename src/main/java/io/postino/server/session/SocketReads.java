package io.postino.server.session;

import io.netty.channel.ChannelConfig;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;

/**
 * The way in: whether the session reads its connection, and how firmly it stops.
 *
 * <p>Pausing a Vert.x socket does not stop the reading: the socket reads on and queues up to 16
 * reads (a heap copy of up to 64 KiB each) before it stops its channel, and the rest of that
 * read loop's reads then wait in pooled direct buffers: about 1.5 MiB per session, held for as
 * long as the session waits. Under a flood of content from 50 clients, whose sessions wait for the
 * spool's write queue again and again, those queues grew the heap and the direct memory by over
 * 100 MB.
 *
 * <p>So a session that waits for the disk or for a client that does not read its replies (where
 * the client outpaces the server) {@link #stop}s, which also turns the channel's auto-read off (on
 * the event loop, which ends the read loop after the read being handled): what the client sends
 * meanwhile stays in the kernel's receive buffer, and TCP's window holds the client back. Turning
 * reading off and on costs two system calls (epoll_ctl), so the first wait of a message, while its
 * spool file opens, is only {@link #holdUpTo held}: the session reads on into its own input until
 * that holds {@link #HOLD_LIMIT} unread octets, which the rest of a message of up to about 192 KiB
 * fits in (the spool holds the first 128 KiB in memory); later waits mean the disk is slower than
 * the client. A wait for the server's own work (a commit, a policy check) only {@link #pause}s: it
 * is short, and the client sends its next commands at most.
 *
 * <p>Not thread-safe: one per session, on its event loop.
 */
final class SocketReads {

  /** The unread input a waiting session holds before it stops reading: about one read. */
  static final int HOLD_LIMIT = 64 * 1024;

  private final NetSocket socket;
  /** The channel's configuration; null for a socket that is not Vert.x's own (never in a server). */
  private final ChannelConfig channel;
  private boolean stopped;

  SocketReads(NetSocket socket) {
    this.socket = socket;
    this.channel = socket instanceof NetSocketInternal internal
        ? internal.channelHandlerContext().channel().config()
        : null;
  }

  /** Hands the session no input until {@link #start}; the socket may read on into its own queue. */
  void pause() {
    socket.pause();
  }

  /** For a session that waits with {@code unread} octets of input: reads on, or stops at the limit. */
  void holdUpTo(int unread) {
    if (unread >= HOLD_LIMIT) {
      stop();
    } else {
      start();
    }
  }

  /** Reads nothing more from the connection until {@link #start}. */
  void stop() {
    socket.pause();
    if (!stopped && channel != null) {
      stopped = true;
      channel.setAutoRead(false);
    }
  }

  /** Reads again: first what the socket queued while it was paused. */
  void start() {
    if (stopped) {
      stopped = false;
      channel.setAutoRead(true);
    }
    socket.resume();
  }
}
