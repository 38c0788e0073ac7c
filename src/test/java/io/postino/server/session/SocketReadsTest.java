package io.postino.server.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A stopped session reads nothing more from its connection: what the client sends stays in the
 * kernel (the client's writes stall) instead of being read into the paused socket's queue, and
 * nothing of it is lost once reading starts again. Over a real Vert.x server socket, with the
 * channel's reads counted by a handler next to the socket.
 */
class SocketReadsTest {

  private static final int CHUNK = 64 * 1024;
  /** A bound on what the client tries to send while the server does not read. */
  private static final long MOST = 64L * 1024 * 1024;

  private Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** One server connection's reads, all touched on its event loop only. */
  private static final class Connection {
    SocketReads reads;
    Context context;
    /** Reads from the channel after {@link SocketReads#stop}, before {@link SocketReads#start}. */
    int readsWhileStopped;
    boolean stopped;
    long received;
    final Promise<Void> stoppedNow = Promise.promise();
    Promise<Void> receivedAll;
    long expected;
  }

  @Test
  void aStoppedSocketLeavesWhatTheClientSendsInTheKernelAndLosesNothing() throws Exception {
    Connection conn = new Connection();
    NetServer server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0));
    server.connectHandler(socket -> {
      conn.context = vertx.getOrCreateContext();
      conn.reads = new SocketReads(socket);
      ((NetSocketInternal) socket).channelHandlerContext().pipeline().addFirst(new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          if (conn.stopped) {
            conn.readsWhileStopped++;
          }
          ctx.fireChannelRead(msg);
        }
      });
      socket.handler(data -> {
        conn.received += data.length();
        if (conn.received == 1) {
          // the first octet: stop, in the middle of the read loop, as a session that waits does
          conn.stopped = true;
          conn.reads.stop();
          conn.stoppedNow.complete();
        } else if (conn.receivedAll != null && conn.received == conn.expected) {
          conn.receivedAll.complete();
        }
      });
    });
    int port = server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();

    try (SocketChannel client = SocketChannel.open()) {
      client.setOption(StandardSocketOptions.SO_SNDBUF, CHUNK);
      client.connect(new InetSocketAddress("127.0.0.1", port));
      client.write(ByteBuffer.wrap(new byte[] {'x'}));
      conn.stoppedNow.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

      // send until the kernel's buffers on both sides are full: the server must read none of it
      client.configureBlocking(false);
      ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
      long sent = 0;
      int written;
      do {
        chunk.clear();
        written = client.write(chunk);
        sent += written;
      } while (written > 0 && sent < MOST);
      assertTrue(sent < MOST, "the client's writes never stalled: the server went on reading");

      // a task on the connection's event loop runs after the reads that were ready when it was
      // queued: all the data sits in the server's receive buffer by now
      CompletableFuture<Integer> whileStopped = new CompletableFuture<>();
      conn.context.runOnContext(v -> whileStopped.complete(conn.readsWhileStopped));
      assertEquals(0, whileStopped.get(10, TimeUnit.SECONDS), "reads after stop()");

      // reading again: everything sent arrives, nothing is lost
      CompletableFuture<Void> all = new CompletableFuture<>();
      long expected = 1 + sent;
      conn.context.runOnContext(v -> {
        conn.stopped = false;
        conn.expected = expected;
        conn.receivedAll = Promise.promise();
        conn.receivedAll.future().onComplete(ar -> all.complete(null));
        if (conn.received == expected) {
          conn.receivedAll.complete();
        }
        conn.reads.start();
      });
      all.get(10, TimeUnit.SECONDS);
      CompletableFuture<Long> received = new CompletableFuture<>();
      conn.context.runOnContext(v -> received.complete(conn.received));
      assertEquals(expected, received.get(10, TimeUnit.SECONDS));
    }
  }
}
