package io.postino.delivery;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.util.NetUtil;
import io.postino.bus.TlsSummary;
import io.postino.smtp.ReplyParser;
import io.postino.smtp.ServerExtensions;
import io.postino.smtp.SmtpReply;
import io.postino.tlspolicy.TlsPolicy;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One client connection to an SMTP server: writes command lines, and hands out the server's
 * replies in order, each to the caller that waits for it, with a timeout per reply.
 *
 * <p>The socket's handler is set as soon as the connection exists, and replies that arrive before
 * anyone asks for them (the greeting, pipelined replies) are kept, so nothing the server says is
 * lost. Replies are handed out only after a whole network read has been parsed, so when the reply
 * to STARTTLS is handed out {@link #hasBufferedInput()} tells whether more followed it.
 *
 * <p>The first failure (closed, timed out, malformed reply, write error) is final: every waiting
 * and later request fails with the same {@link ConnectionException}, and the socket is closed:
 * abortively (a TCP reset, SO_LINGER 0) unless after QUIT. A graceful close would still deliver
 * what sits in the kernel's send buffer, the final dot included, after Postino has given up on
 * the message and recorded it for a retry: the server could take it then, and again at the retry.
 *
 * <p>Not thread-safe: used from the event loop that connected it.
 *
 * <p>SECURITY: a command line with a CR or LF is refused before anything is written, so no
 * address or parameter can inject a command; AUTH commands are never logged.
 */
final class SmtpConnection {

  private record Waiter(Promise<SmtpReply> promise, Duration timeout, String command) {
  }

  /** How long a QUIT waits for its reply before the connection is closed anyway. */
  static final Duration QUIT_WAIT = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final NetSocket socket;
  private final Target target;
  private final ReplyParser parser;
  private final ArrayDeque<SmtpReply> unread = new ArrayDeque<>();
  private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
  private final Promise<Void> closed = Promise.promise();
  /** QUIT was said: the session only waits for its reply, then closes. */
  private boolean quitting;

  private ConnectionException failure;
  private boolean idle;
  private long timer = -1;
  private ServerExtensions extensions = ServerExtensions.NONE;
  private int transactions;

  private SmtpConnection(Vertx vertx, NetSocket socket, Target target) {
    this.vertx = vertx;
    this.socket = socket;
    this.target = target;
    this.parser = new ReplyParser(new ReplyParser.Listener() {
      @Override
      public void reply(SmtpReply reply) {
        unread.add(reply);
      }

      @Override
      public void malformed(String reason) {
        fail(new ConnectionException("4.5.0", "malformed reply from " + target + ": " + reason));
      }
    });
    socket.handler(this::received);
    socket.closeHandler(v -> fail(new ConnectionException("4.4.2", "lost connection with " + target + after())));
    socket.exceptionHandler(e -> fail(new ConnectionException("4.4.2",
        "error talking to " + target + after() + ": " + e.getMessage())));
  }

  /**
   * Connects; fails with a {@link ConnectionException} (status 4.4.1) when no connection is made.
   * Call on the event loop that will use the connection.
   */
  static Future<SmtpConnection> connect(Vertx vertx, NetClient client, Target target) {
    // unix-domain sockets work over NIO on Java 16+ (Netty 4.2), no native transport needed
    SocketAddress peer = target.isUnixSocket() ? SocketAddress.domainSocketAddress(target.address())
        : inet(target);
    return client.connect(peer)
        .<SmtpConnection>map(socket -> new SmtpConnection(vertx, socket, target))
        .recover(e -> Future.failedFuture(
            new ConnectionException("4.4.1", "connect to " + target + ": " + e.getMessage())));
  }

  /**
   * The address to connect to, named with the host's name: Vert.x checks a server certificate
   * against the name of the address the socket was opened to, which must be the MX host's (RFC
   * 7672, RFC 8461, RFC 8689), never its IP address.
   */
  private static SocketAddress inet(Target target) {
    byte[] ip = NetUtil.createByteArrayFromIpAddressString(target.address());
    if (ip == null) {
      return SocketAddress.inetSocketAddress(target.port(), target.address());
    }
    try {
      return SocketAddress.inetSocketAddress(new InetSocketAddress(InetAddress.getByAddress(target.host(), ip),
          target.port()));
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  Target target() {
    return target;
  }

  /** The server's greeting. */
  Future<SmtpReply> greeting(Duration timeout) {
    return await(timeout, "greeting");
  }

  /**
   * The next reply, to a command written with {@link #writeLine}: its clock starts now, not when
   * the command was written.
   */
  Future<SmtpReply> next(Duration timeout, String command) {
    return await(timeout, command);
  }

  /**
   * Writes a command line (without CRLF) without waiting for its reply, for a command followed by
   * content (BDAT): the reply is asked for with {@link #next(Duration, String)} once the content is
   * written. A line with a CR or LF fails the connection.
   */
  Future<Void> writeLine(String line) {
    if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
      fail(new ConnectionException("5.5.2", "refusing to send a command with CR or LF to " + target));
    }
    if (failure != null) {
      return Future.failedFuture(failure);
    }
    idle = false;
    return socket.write(Buffer.buffer(line + "\r\n", "UTF-8"));
  }

  /** Sends one command line (without CRLF) and returns its reply. */
  Future<SmtpReply> command(String line, Duration timeout) {
    return pipeline(List.of(line), timeout).get(0);
  }

  /** Like {@link #command}, for a line that holds credentials: messages name it only as AUTH. */
  Future<SmtpReply> secret(String line, Duration timeout) {
    return send(List.of(line), List.of("AUTH"), timeout).get(0);
  }

  /**
   * Sends several command lines in one write (RFC 2920) and returns their replies in order.
   * A line with a CR or LF fails the connection before anything is written.
   */
  List<Future<SmtpReply>> pipeline(List<String> lines, Duration timeout) {
    return send(lines, lines.stream().map(SmtpConnection::verb).toList(), timeout);
  }

  private List<Future<SmtpReply>> send(List<String> lines, List<String> names, Duration timeout) {
    Buffer out = Buffer.buffer(lines.size() * 48);
    for (String line : lines) {
      if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
        fail(new ConnectionException("5.5.2", "refusing to send a command with CR or LF to " + target));
        break;
      }
      out.appendString(line, "UTF-8").appendString("\r\n");
    }
    List<Future<SmtpReply>> replies = new ArrayList<>(lines.size());
    for (String name : names) {
      replies.add(await(timeout, name));
    }
    if (failure == null) {
      idle = false;
      socket.write(out);
    }
    return replies;
  }

  /** A buffer for content: pooled, in the direct memory the socket writes from (no copy on the way out). */
  ByteBuf buffer(int capacity) {
    return socket instanceof NetSocketInternal i ? i.channelHandlerContext().alloc().directBuffer(capacity)
        : Unpooled.buffer(capacity);
  }

  /** Writes and releases content from {@link #buffer}; use with {@link #writeQueueFull()} for back-pressure. */
  void write(ByteBuf content) {
    if (failure != null) {
      content.release();
    } else if (socket instanceof NetSocketInternal i) {
      i.writeMessage(content);
    } else {
      socket.write(BufferInternal.buffer(content));
    }
  }

  boolean writeQueueFull() {
    return failure == null && socket.writeQueueFull();
  }

  void drainHandler(Handler<Void> handler) {
    socket.drainHandler(handler);
  }

  /**
   * True when the server sent more than the replies handed out so far; after the reply to
   * STARTTLS this is plaintext injected ahead of TLS, and the connection must be dropped.
   */
  boolean hasBufferedInput() {
    return !unread.isEmpty() || parser.hasPartialReply();
  }

  /** Starts TLS over the connection (after a 220 to STARTTLS). */
  Future<Void> upgradeToTls(ClientSSLOptions options, String serverName) {
    if (failure != null) {
      return Future.failedFuture(failure);
    }
    return socket.upgradeToSsl(options, serverName).recover(e -> {
      ConnectionException f = new ConnectionException("4.7.5",
          "TLS handshake with " + target + " failed: " + e.getMessage(), e);
      fail(f);
      return Future.failedFuture(f);
    });
  }

  /** The local address of the session (the sending MTA's, for TLS reports), or null for a unix socket. */
  String localAddress() {
    io.vertx.core.net.SocketAddress local = socket.localAddress();
    return local == null || target.isUnixSocket() ? null : local.hostAddress();
  }

  boolean isTls() {
    return socket.isSsl();
  }

  /** The TLS session, or null for a plaintext one. */
  javax.net.ssl.SSLSession sslSession() {
    return socket.isSsl() ? socket.sslSession() : null;
  }

  /** The session's protection under {@code policy}: the TLS version and cipher, or plaintext. */
  TlsSummary tlsSummary(TlsPolicy policy) {
    javax.net.ssl.SSLSession session = socket.isSsl() ? socket.sslSession() : null;
    if (session == null) {
      return TlsSummary.plaintext(policy.name());
    }
    return new TlsSummary(policy.name(), session.getProtocol(), session.getCipherSuite(), policy.authenticates());
  }

  ServerExtensions extensions() {
    return extensions;
  }

  void extensions(ServerExtensions extensions) {
    this.extensions = extensions;
  }

  /** Mail transactions started on this connection. */
  int transactions() {
    return transactions;
  }

  void transactionStarted() {
    transactions++;
  }

  /** True while nothing has failed. */
  boolean isOpen() {
    return failure == null && !quitting;
  }

  /** The failure that ended the connection, or null. */
  ConnectionException failure() {
    return failure;
  }

  /**
   * Marks the connection as parked in the pool: a reply arriving now (a 421 before the server
   * hangs up) was asked for by nobody and ends the connection, so that it cannot be mistaken
   * for the reply to the next command.
   */
  void idle() {
    idle = true;
    if (!unread.isEmpty()) {
      fail(new ConnectionException("4.4.2", "unexpected reply from idle " + target));
    }
  }

  /** Completes when the connection has failed or been closed, for whatever reason. */
  Future<Void> closed() {
    return closed.future();
  }

  /**
   * Says QUIT and closes once the server has answered it (or after {@link #QUIT_WAIT}), so that
   * when {@link #closed()} completes the server too is done with the session: a connection place
   * given back then is free at the server as well, and a limit of N connections is never seen
   * there as N + 1 (Postfix's {@code smtp_skip_quit_response = no}).
   */
  void quit() {
    if (failure == null && !quitting) {
      // no second QUIT, and no reuse of a session that is ending
      quitting = true;
      command("QUIT", QUIT_WAIT).onComplete(ar ->
          fail(new ConnectionException("4.4.2", "connection with " + target + " closed after QUIT"), false));
    }
  }

  /** Resets the connection at once, every waiting request failing with {@code status} and {@code text}. */
  void abort(String status, String text) {
    fail(new ConnectionException(status, text));
  }

  /** Closes at once (a half-sent message is then discarded by the server). */
  void close() {
    fail(new ConnectionException("4.4.2", "connection with " + target + " closed"));
  }

  private void received(Buffer data) {
    byte[] bytes = data.getBytes();
    parser.feed(bytes, 0, bytes.length);
    dispatch();
  }

  private Future<SmtpReply> await(Duration timeout, String command) {
    if (failure != null) {
      return Future.failedFuture(failure);
    }
    Promise<SmtpReply> promise = Promise.promise();
    waiting.add(new Waiter(promise, timeout, command));
    if (waiting.size() == 1) {
      // the previous head was answered or there was none: this reply's clock starts now
      dispatch();
    }
    return promise.future();
  }

  private void dispatch() {
    while (failure == null && !unread.isEmpty() && !waiting.isEmpty()) {
      cancelTimer();
      waiting.poll().promise().complete(unread.poll());
    }
    if (failure == null && idle && !unread.isEmpty()) {
      fail(new ConnectionException("4.4.2", "unexpected reply from idle " + target));
      return;
    }
    if (failure == null && timer < 0 && !waiting.isEmpty()) {
      Waiter head = waiting.peek();
      timer = vertx.setTimer(Math.max(1, head.timeout().toMillis()), id -> {
        timer = -1;
        fail(new ConnectionException("4.4.2", "conversation with " + target + " timed out while waiting for the reply to "
            + head.command()));
      });
    }
  }

  private void cancelTimer() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void fail(ConnectionException e) {
    fail(e, true);
  }

  private void fail(ConnectionException e, boolean abortive) {
    if (failure != null) {
      return;
    }
    failure = e;
    cancelTimer();
    unread.clear();
    while (!waiting.isEmpty()) {
      waiting.poll().promise().fail(e);
    }
    // a unix-domain socket has no reset to send (and no SO_LINGER): it is closed
    if (abortive && !target.isUnixSocket() && socket instanceof NetSocketInternal internal
        && internal.channelHandlerContext().channel().isActive()) {
      // the reset discards what is still queued, here and in the kernel, instead of sending it
      internal.channelHandlerContext().channel().config().setOption(ChannelOption.SO_LINGER, 0);
    }
    socket.close();
    closed.complete();
  }

  private String after() {
    return waiting.isEmpty() ? "" : " while waiting for the reply to " + waiting.peek().command();
  }

  /** The command's name for messages ("MAIL FROM", "RCPT TO", "DATA"...), never its arguments. */
  private static String verb(String line) {
    String upper = line.toUpperCase(Locale.ROOT);
    if (upper.startsWith("MAIL FROM")) {
      return "MAIL FROM";
    }
    if (upper.startsWith("RCPT TO")) {
      return "RCPT TO";
    }
    int space = upper.indexOf(' ');
    return space < 0 ? upper : upper.substring(0, space);
  }
}
