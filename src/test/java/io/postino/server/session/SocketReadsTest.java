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
import io.vertx.core.net.NetSocket;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A stopped session reads nothing more from its connection: what the client sends stays in the
 * kernel (the client's writes stall) instead of being read into the paused socket's queue, and
 * nothing of it is lost once reading starts again. A session that holds less unread input than
 * the limit reads on. Over a real Vert.x server socket, with the channel's reads counted by a
 * handler next to the socket.
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
    /** What the connection does on the first octet: how a waiting session stops. */
    Consumer<SocketReads> onFirst = SocketReads::stop;
    Promise<Void> receivedAll;
    long expected;
  }

  @Test
  void aStoppedSocketLeavesWhatTheClientSendsInTheKernelAndLosesNothing() throws Exception {
    stopsAndLosesNothing(new Connection());
  }

  @Test
  void aSessionHoldingAsMuchAsTheLimitStopsReadingToo() throws Exception {
    Connection conn = new Connection();
    conn.onFirst = reads -> reads.holdUpTo(SocketReads.HOLD_LIMIT);
    stopsAndLosesNothing(conn);
  }

  @Test
  void aSessionHoldingLessThanTheLimitReadsOn() throws Exception {
    Connection conn = new Connection();
    conn.onFirst = reads -> reads.holdUpTo(SocketReads.HOLD_LIMIT - 1);
    NetServer server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0));
    server.connectHandler(socket -> serve(conn, socket));
    int port = server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
    try (SocketChannel client = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
      client.write(ByteBuffer.wrap(new byte[] {'x'}));
      conn.stoppedNow.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      CompletableFuture<Void> all = new CompletableFuture<>();
      CompletableFuture<Void> ready = new CompletableFuture<>();
      conn.context.runOnContext(v -> {
        conn.expected = 1 + 4 * CHUNK;
        conn.receivedAll = Promise.promise();
        conn.receivedAll.future().onComplete(ar -> all.complete(null));
        ready.complete(null);
      });
      ready.get(10, TimeUnit.SECONDS);
      // it reaches the handler only if the server reads on
      client.write(ByteBuffer.allocate(4 * CHUNK));
      all.get(10, TimeUnit.SECONDS);
    }
  }

  private void serve(Connection conn, NetSocket socket) {
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
        conn.onFirst.accept(conn.reads);
        conn.stoppedNow.complete();
      } else if (conn.receivedAll != null && conn.received == conn.expected) {
        conn.receivedAll.complete();
      }
    });
  }

  private void stopsAndLosesNothing(Connection conn) throws Exception {
    NetServer server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0));
    server.connectHandler(socket -> serve(conn, socket));
    int port = server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();

    try (SocketChannel client = SocketChannel.open()) {
      client.setOption(StandardSocketOptions.SO_SNDBUF, CHUNK);
      client.connect(new InetSocketAddress("127.0.0.1", port));
      client.write(ByteBuffer.wrap(new byte[] {'x'}));
      conn.stoppedNow.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

      // send until the kernel's buffers on both sides are full: the server must read none of it.
      // A task on the connection's event loop runs after the reads that were ready when it was
      // queued; the data the client wrote may reach the server's socket a little later on a busy
      // machine, so the client tries again (a server that does not read leaves it no room)
      client.configureBlocking(false);
      ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
      long sent = 0;
      int whileStopped = 0;
      for (int round = 0; round < 20 && whileStopped == 0 && sent < MOST; round++) {
        int written;
        do {
          chunk.clear();
          written = client.write(chunk);
          sent += written;
        } while (written > 0 && sent < MOST);
        for (int i = 0; i < 3; i++) {
          CompletableFuture<Integer> reads = new CompletableFuture<>();
          conn.context.runOnContext(v -> reads.complete(conn.readsWhileStopped));
          whileStopped = reads.get(10, TimeUnit.SECONDS);
        }
      }
      assertTrue(sent < MOST, "the client's writes never stalled: the server went on reading");
      assertEquals(0, whileStopped, "reads after stop()");

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
