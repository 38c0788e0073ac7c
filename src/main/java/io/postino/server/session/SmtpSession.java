package io.postino.server.session;

import io.postino.metrics.ListenerMeters;
import io.postino.metrics.Refusal;
import io.postino.server.ListenerPolicy;
import io.postino.server.ServerContext;
import io.postino.server.ServerOptions;
import io.postino.smtp.Replies;
import io.postino.smtp.SmtpReply;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SMTP server session on one connection: reads commands, answers them in order (pipelined
 * commands included), and streams message content into the spool. The conductor: it holds the
 * {@link Phase} and what the session waits for, reads input while it may, and hands the work to its
 * parts: {@link SessionCommands} (each command line, checked against the {@link CommandTable}),
 * {@link LineReader}, {@link ReplyChannel}, {@link SessionClock}, {@link TlsUpgrade},
 * {@link AuthDialogue}, {@link EnvelopeCommands} and {@link ContentReception}.
 *
 * <p>Everything runs on the connection's event loop. Input is scanned in place from the socket's
 * buffers; replies produced while handling one read are sent in one write. While an asynchronous
 * step is in flight (opening or committing a spool file, a full write queue) the session waits
 * ({@link Wait}): the connection is not read ({@link SocketReads}) and unread input waits, so
 * commands are never reordered and a fast client cannot make the server buffer without bound.
 *
 * <p>The listener's {@link ListenerPolicy} decides what differs between the SMTP, submission and
 * implicit-TLS ports: whether TLS starts with the connection, whether MAIL needs AUTH, whether
 * missing Message-ID and Date fields are added.
 *
 * <p>SECURITY: a command line is only ever executed when it ended with CRLF within the line limit;
 * the remainder of an over-long line is discarded, never taken as a command ({@link LineReader}).
 * Content ends only at CRLF "." CRLF (see {@link io.postino.smtp.DataDecoder}), so bare-LF
 * smuggling cannot start a second message. Whatever the client sent in plaintext after STARTTLS is
 * discarded, and everything learnt before TLS (EHLO, AUTH, the transaction) is forgotten after it
 * (RFC 3207 section 4.2; {@link #tlsEstablished}). AUTH is offered only over TLS unless configured
 * otherwise; passwords are checked off the event loop while the session waits, and failures are
 * limited per session and per client address (counted before the check, so parallel sessions
 * cannot outrun the limit; {@link AuthDialogue}). Content must keep a minimum average rate
 * ({@link DataRateGuard}), and the unfinished messages of an anonymous client address a spool
 * budget ({@link SpoolHold}); "too many recipients" is no error, as the client is doing right.
 */
final class SmtpSession {

  private static final Logger log = LoggerFactory.getLogger(SmtpSession.class);

  private final NetSocket socket;
  private final ServerContext ctx;
  private final ListenerMeters meters;
  private final ServerOptions options;
  private final Client client;
  private final Input input = new Input();
  private final SessionClock clock;
  private final LineReader lines;
  private final ReplyChannel replies;
  private final SocketReads reads;
  private final TlsUpgrade tls;
  private final AuthDialogue auth;
  private final ContentReception content;
  private final EnvelopeCommands envelope;
  private final SessionLog sessionLog;
  private final SessionStop stop;
  private final ReputationCheck reputation;
  private final SessionCommands commands;

  private Phase phase = Phase.CONNECTED;
  private Wait waiting = Wait.NONE;
  /** Whether {@link #drive} is reading input now (an answer known at once then goes on in it). */
  private boolean driving;
  private int errors;

  SmtpSession(Vertx vertx, NetSocket socket, ServerContext ctx, ListenerMeters meters, String clientIp, boolean trusted) {
    this.socket = socket;
    this.ctx = ctx;
    this.meters = meters;
    this.options = ctx.options();
    this.client = new Client(clientIp, socket.remoteAddress().port(), trusted);
    this.sessionLog = new SessionLog(client);
    this.clock = new SessionClock(vertx, this, options, clientIp);
    this.lines = new LineReader(input, clock);
    this.replies = new ReplyChannel(socket, this);
    this.reads = new SocketReads(socket);
    this.tls = new TlsUpgrade(this, ctx.tls(), socket, vertx.getOrCreateContext(), client, input);
    this.auth = new AuthDialogue(this, ctx.auth(), client, lines, input);
    SpoolHold spoolHold = new SpoolHold(ctx.spoolBudget(), clientIp);
    this.content = new ContentReception(this, ctx, client, input, clock, spoolHold, sessionLog);
    this.envelope = new EnvelopeCommands(this, ctx, client, spoolHold, content);
    this.stop = new SessionStop(this, content, ctx.listener().implicitTls(), vertx.getOrCreateContext());
    this.reputation = new ReputationCheck(this, ctx, client, clock);
    this.commands = new SessionCommands(this, ctx, client, input, lines, sessionLog, envelope, content, tls, auth);
  }

  void start() {
    sessionLog.connected();
    meters.opened();
    clock.activity();
    ctx.sessions().join(stop);
    socket.handler(this::onData);
    socket.closeHandler(v -> onClosed());
    socket.exceptionHandler(e -> {
      log.debug("connection from {}: {}", client.name(), e.toString());
      close();
    });
    reputation.start();
    if (ctx.listener().implicitTls()) {
      tls.beginImplicitTls();
    } else {
      reputation.greetWhenReady();
    }
    clock.start();
  }

  void greet() {
    if (phase.isClosing()) {
      return;
    }
    phase = Phase.GREETED;
    reply(Replies.greeting(ctx.hostname()));
    flush();
  }

  // ---------------------------------------------------------------- phase and waiting

  Phase phase() {
    return phase;
  }

  /** Moves the dialogue on; once closing, it stays so. */
  void enter(Phase next) {
    if (!phase.isClosing()) {
      phase = next;
    }
  }

  /** After content or an AUTH exchange: commands again (a refused BDAT chunk can come before HELO). */
  void commandsAgain() {
    enter(client.helo() == null ? Phase.GREETED : Phase.READY);
  }

  Wait waiting() {
    return waiting;
  }

  /** Reads no more input until {@link #resume} or {@link #stopWaiting}. */
  void waitFor(Wait reason) {
    waiting = reason;
  }

  void stopWaiting() {
    waiting = Wait.NONE;
  }

  /** The wait is over: carries on with the input that waited. */
  void resume() {
    waiting = Wait.NONE;
    drive();
  }

  /**
   * Waits for {@code future}, reading no input meanwhile, then runs {@code then} and carries on
   * with the input that waited. {@code then} is skipped when the connection closed meanwhile: what
   * must happen regardless belongs on the future itself.
   */
  <T> void suspendUntil(Future<T> future, Handler<AsyncResult<T>> then) {
    if (future.isComplete() && driving) {
      // decided at once (a remembered answer): not a nested drive per pipelined command
      then.handle(future);
      return;
    }
    waiting = Wait.SERVER;
    future.onComplete(ar -> {
      waiting = Wait.NONE;
      clock.activity();
      if (phase == Phase.CLOSED) {
        return;
      }
      then.handle(ar);
      drive();
    });
  }

  /** The listener's meters, which the session's parts count on. */
  ListenerMeters meters() {
    return meters;
  }

  /** The current transaction; null outside one. */
  Transaction transaction() {
    return envelope.transaction();
  }

  // ---------------------------------------------------------------- input

  private void onData(Buffer data) {
    clock.activity();
    if (phase.isClosing()) {
      return;
    }
    if (phase == Phase.TLS_HANDSHAKE) {
      if (!tls.isHandshakeComplete()) {
        // plaintext the server read before the TLS handler took over: never executed
        log.debug("connection from {}: discarded {} plaintext bytes during the TLS handshake", client.name(),
            data.length());
        return;
      }
      // the first decrypted bytes can arrive before the handshake future's callback has run
      tlsEstablished();
    }
    if (phase == Phase.CONNECTED) {
      reply(Replies.EARLY_TALKER);
      meters.refused(Refusal.EARLY_TALKER);
      close();
      return;
    }
    input.append(data);
    drive();
  }

  /** Handles buffered input until it runs out or the session has to wait. */
  void drive() {
    if (phase == Phase.CLOSED) {
      return;
    }
    boolean progress = true;
    boolean outer = driving;
    driving = true;
    try {
      // a session asked to stop (shutdown) closes as soon as it has no message under way
      while (!stop.stopIfIdle() && progress && waiting == Wait.NONE && !phase.isClosing() && input.hasRemaining()) {
        progress = switch (phase) {
          case GREETED, READY -> commands.readNext();
          case AUTH_RESPONSE -> auth.readResponse();
          case DATA -> content.readData();
          case BDAT -> content.readChunk();
          default -> {
            // nothing is read before the greeting or during a TLS handshake
            input.skipAll();
            yield false;
          }
        };
      }
    } finally {
      driving = outer;
    }
    input.releaseIfDone();
    flush();
    if (phase.isClosing() || waiting == Wait.SERVER) {
      reads.pause();
    } else if (waiting == Wait.SPOOL && content.firstSpoolWait()) {
      reads.holdUpTo(input.remaining());
    } else if (waiting != Wait.NONE) {
      reads.stop();
    } else {
      reads.start();
    }
  }

  // ---------------------------------------------------------------- transaction and TLS

  /** RSET, HELO/EHLO, STARTTLS and the final reply end the transaction; the session goes on. */
  void resetTransaction() {
    content.reset();
    envelope.reset();
  }

  /** The handshake is done: start afresh, as after the greeting (RFC 3207 section 4.2). */
  void tlsEstablished() {
    if (phase != Phase.TLS_HANDSHAKE) {
      return;
    }
    SSLSession session = tls.established();
    client.tlsStarted(session);
    resetTransaction();
    input.clear();
    lines.reset();
    log.info("TLS connection established from {}: {} with cipher {}", client.name(), session.getProtocol(),
        session.getCipherSuite());
    meters.tlsHandshake(session.getProtocol());
    if (ctx.listener().implicitTls()) {
      phase = Phase.CONNECTED;
      reputation.greetWhenReady();
    } else {
      phase = Phase.GREETED;
    }
  }

  // ---------------------------------------------------------------- output and lifetime

  void reply(SmtpReply reply) {
    sessionLog.replied(reply);
    replies.add(reply);
  }

  /** A reply that counts against the session's error budget. */
  void replyError(SmtpReply reply) {
    reply(reply);
    if (++errors >= options.getMaxErrors()) {
      sessionLog.tooManyErrors();
      reply(Replies.TOO_MANY_ERRORS);
      meters.refused(Refusal.ERRORS);
      close();
    }
  }

  private void flush() {
    if (phase == Phase.CLOSED) {
      return;
    }
    if (replies.send() && waiting == Wait.NONE) {
      // the client does not read its replies: stop reading its commands until it does
      waiting = Wait.CLIENT;
      replies.awaitDrain();
    }
  }

  void clientReadsAgain() {
    waiting = Wait.NONE;
    clock.activity();
    drive();
  }

  /** Sends what is pending, then closes. */
  void close() {
    if (phase.isClosing()) {
      return;
    }
    phase = Phase.CLOSING;
    flush();
    reads.pause();
    if (waiting == Wait.CLIENT) {
      replies.closeNow();
      return;
    }
    replies.closeGracefully();
    // a graceful close waits for pending replies to be sent: never longer than the grace period
    clock.startCloseGrace();
  }

  void closeGraceOver() {
    if (phase != Phase.CLOSED) {
      replies.closeNow();
    }
  }

  void timedOut(SmtpReply reply) {
    sessionLog.timedOut(reply);
    meters.refused(reply == Replies.DATA_TOO_SLOW ? Refusal.RATE : Refusal.TIMEOUT);
    reply(reply);
    close();
  }

  private void onClosed() {
    sessionLog.disconnected(!phase.isClosing());
    phase = Phase.CLOSED;
    meters.closed();
    clock.stop();
    content.connectionClosed();
    ctx.limiter().release(client.ip());
    ctx.sessions().leave(stop);
    stop.connectionClosed();
  }
}
