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
 * long as the session waits. {@link #stop} also turns the channel's auto-read off, on the event
 * loop, which ends the read loop after the read being handled: what the client sends meanwhile
 * stays in the kernel's receive buffer, and TCP's window holds the client back. For the waits
 * where the client outpaces the server (the spool's write queue is full, the client does not read
 * its replies); under a flood of content from 50 clients the paused sockets' queues had grown
 * the heap and the direct memory by over 100 MB. A wait for the server's own work (a commit, a
 * policy check) only {@link #pause}s: it is short, the client sends its next commands at most,
 * and turning the channel's reading off and on costs two system calls (epoll_ctl), which every
 * message's commit would pay.
 *
 * <p>Not thread-safe: one per session, on its event loop.
 */
final class SocketReads {

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
