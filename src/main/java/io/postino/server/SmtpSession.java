package io.postino.server;

import io.postino.queue.Envelope;
import io.postino.queue.SpoolWriter;
import io.postino.queue.SpooledMessage;
import io.postino.server.RecipientPolicy.Decision;
import io.postino.server.RecipientPolicy.Refuse;
import io.postino.smtp.CommandParser;
import io.postino.smtp.DataDecoder;
import io.postino.smtp.DataDecoder.Framing;
import io.postino.smtp.MailAddress;
import io.postino.smtp.MailParameters;
import io.postino.smtp.Replies;
import io.postino.smtp.SmtpCommand;
import io.postino.smtp.SmtpException;
import io.postino.smtp.SmtpReply;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SMTP server session on one connection: reads commands, answers them in order (pipelined
 * commands included), and streams message content into the spool.
 *
 * <p>Everything runs on the connection's event loop. Input is scanned in place from the socket's
 * buffers; replies produced while handling one read are sent in one write. While an asynchronous
 * step is in flight (opening or committing a spool file, a full write queue) the session is
 * "busy": the socket is paused and unread input waits, so commands are never reordered and a fast
 * client cannot make the server buffer without bound.
 *
 * <p>SECURITY: a command line is only ever executed when it ended with CRLF within the line limit;
 * the remainder of an over-long line is discarded, never taken as a command. Content ends only at
 * CRLF "." CRLF (see {@link DataDecoder}), so bare-LF smuggling cannot start a second message.
 */
final class SmtpSession {

  private static final Logger log = LoggerFactory.getLogger(SmtpSession.class);
  private static final DateTimeFormatter RFC5322_DATE =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.US);
  private static final byte[] NO_BYTES = new byte[0];

  /** Where the dialogue stands. */
  private enum State { CONNECTED, GREETED, READY }

  /** How incoming bytes are read. */
  private enum Mode { COMMAND, DISCARD_LINE, DATA, BDAT }

  /** The current mail transaction: from MAIL to the end of data or RSET. */
  private static final class Transaction {
    final MailAddress sender;
    final MailParameters parameters;
    final List<Envelope.Recipient> recipients = new ArrayList<>();
    boolean bdat;
    long bdatTotal;
    String queueId;

    Transaction(MailAddress sender, MailParameters parameters) {
      this.sender = sender;
      this.parameters = parameters;
    }
  }

  private final Vertx vertx;
  private final NetSocket socket;
  private final ServerContext ctx;
  private final ServerOptions options;
  private final String clientIp;
  private final boolean trusted;

  private byte[] in = NO_BYTES;
  private int inPos;
  private int inLimit;
  private Buffer out = Buffer.buffer(256);

  private State state = State.CONNECTED;
  private Mode mode = Mode.COMMAND;
  private boolean busy;
  private boolean closed;
  private boolean closing;
  private String helo;
  private boolean esmtp;
  private int errors;
  private Transaction tx;

  private DataDecoder decoder;
  private SpoolWriter writer;
  private Buffer decoded;
  private final DataDecoder.Sink collect = (b, off, len) -> decoded.appendBytes(b, off, len);
  private long bdatRemaining;
  private boolean bdatLast;
  private SmtpReply bdatRefusal;

  private long lastActivity;
  private long lineStart = -1;
  private long dataStart;
  private long timerId = -1;
  private long timerDue;

  SmtpSession(Vertx vertx, NetSocket socket, ServerContext ctx, String clientIp, boolean trusted) {
    this.vertx = vertx;
    this.socket = socket;
    this.ctx = ctx;
    this.options = ctx.options();
    this.clientIp = clientIp;
    this.trusted = trusted;
  }

  void start() {
    lastActivity = System.nanoTime();
    socket.handler(this::onData);
    socket.closeHandler(v -> onClosed());
    socket.exceptionHandler(e -> {
      log.debug("connection from {}: {}", clientIp, e.toString());
      socket.close();
    });
    long delay = options.getGreetingDelay().toMillis();
    if (delay > 0) {
      vertx.setTimer(delay, id -> greet());
    } else {
      greet();
    }
    armTimer();
  }

  private void greet() {
    if (closed || closing) {
      return;
    }
    state = State.GREETED;
    reply(Replies.greeting(ctx.hostname()));
    flush();
  }

  // ---------------------------------------------------------------- input

  private void onData(Buffer data) {
    lastActivity = System.nanoTime();
    if (closing) {
      return;
    }
    if (state == State.CONNECTED) {
      reply(Replies.EARLY_TALKER);
      close();
      return;
    }
    append(data.getBytes());
    drive();
  }

  private void append(byte[] bytes) {
    if (inPos == inLimit) {
      in = bytes;
      inPos = 0;
      inLimit = bytes.length;
      return;
    }
    int rest = inLimit - inPos;
    byte[] joined = new byte[rest + bytes.length];
    System.arraycopy(in, inPos, joined, 0, rest);
    System.arraycopy(bytes, 0, joined, rest, bytes.length);
    in = joined;
    inPos = 0;
    inLimit = joined.length;
  }

  /** Handles buffered input until it runs out or an asynchronous step makes the session busy. */
  private void drive() {
    boolean progress = true;
    while (progress && !busy && !closing && inPos < inLimit) {
      progress = switch (mode) {
        case COMMAND -> readCommand();
        case DISCARD_LINE -> discardLine();
        case DATA -> readData();
        case BDAT -> readBdat();
      };
    }
    if (inPos == inLimit) {
      in = NO_BYTES;
      inPos = 0;
      inLimit = 0;
    }
    flush();
    if (busy || closing) {
      socket.pause();
    } else {
      socket.resume();
    }
  }

  private boolean readCommand() {
    int lf = indexOfLf(in, inPos, inLimit);
    if (lf < 0) {
      if (lineStart < 0) {
        lineStart = System.nanoTime();
        deadlineAt(lineStart + options.getCommandDeadline().toNanos());
      }
      if (inLimit - inPos >= options.getMaxLineLength()) {
        // the rest of this line is dropped unread: it must never run as a command
        inPos = inLimit;
        mode = Mode.DISCARD_LINE;
      }
      return false;
    }
    int start = inPos;
    int length = lf + 1 - start;
    inPos = lf + 1;
    lineStart = -1;
    if (length > options.getMaxLineLength()) {
      replyError(Replies.LINE_TOO_LONG);
      return true;
    }
    if (lf == start || in[lf - 1] != '\r') {
      replyError(Replies.BAD_CHARACTER);
      return true;
    }
    SmtpCommand command;
    try {
      command = CommandParser.parse(in, start, lf - 1 - start);
    } catch (SmtpException e) {
      replyError(e.reply());
      return true;
    }
    execute(command);
    return true;
  }

  private boolean discardLine() {
    int lf = indexOfLf(in, inPos, inLimit);
    if (lf < 0) {
      inPos = inLimit;
      return false;
    }
    inPos = lf + 1;
    lineStart = -1;
    mode = Mode.COMMAND;
    replyError(Replies.LINE_TOO_LONG);
    return true;
  }

  private static int indexOfLf(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  // ---------------------------------------------------------------- commands

  private void execute(SmtpCommand command) {
    switch (command.verb()) {
      case HELO -> hello(((SmtpCommand.Helo) command).domain(), false);
      case EHLO -> hello(((SmtpCommand.Ehlo) command).domain(), true);
      case MAIL -> mail((SmtpCommand.Mail) command);
      case RCPT -> rcpt((SmtpCommand.Rcpt) command);
      case DATA -> data();
      case BDAT -> bdat((SmtpCommand.Bdat) command);
      case RSET -> {
        resetTransaction();
        reply(Replies.RESET_OK);
      }
      case NOOP -> reply(Replies.NOOP_OK);
      case QUIT -> {
        reply(Replies.BYE);
        close();
      }
      case VRFY -> reply(Replies.VRFY_CANNOT);
      case EXPN -> replyError(Replies.EXPN_DISABLED);
      case HELP -> reply(Replies.HELP);
      case STARTTLS -> replyError(Replies.NOT_IMPLEMENTED);
      case AUTH -> replyError(Replies.AUTH_NOT_ENABLED);
    }
  }

  private void hello(String domain, boolean extended) {
    resetTransaction();
    helo = domain;
    esmtp = extended;
    state = State.READY;
    if (!extended) {
      reply(Replies.helo(ctx.hostname()));
      return;
    }
    reply(Replies.ehlo(ctx.hostname(), List.of(
        "PIPELINING",
        "SIZE " + options.getMaxMessageSize(),
        "8BITMIME",
        "SMTPUTF8",
        "ENHANCEDSTATUSCODES",
        "CHUNKING")));
  }

  private void mail(SmtpCommand.Mail mail) {
    if (state != State.READY) {
      replyError(Replies.NEED_HELO);
      return;
    }
    if (tx != null) {
      replyError(Replies.NESTED_MAIL);
      return;
    }
    MailParameters p = mail.parameters();
    if (p.size() > options.getMaxMessageSize()) {
      replyError(Replies.sizeDeclaredTooBig(options.getMaxMessageSize()));
      return;
    }
    if (p.body() == MailParameters.Body.BINARY_MIME) {
      // not advertised: we do not store binary content that could not be relayed with DATA
      replyError(Replies.UNSUPPORTED_PARAMETER);
      return;
    }
    if (mail.sender().isInternationalized() && !p.smtpUtf8()) {
      replyError(Replies.NEEDS_SMTPUTF8);
      return;
    }
    tx = new Transaction(mail.sender(), p);
    reply(Replies.SENDER_OK);
  }

  private void rcpt(SmtpCommand.Rcpt rcpt) {
    if (tx == null) {
      replyError(Replies.NEED_MAIL);
      return;
    }
    if (tx.recipients.size() >= options.getMaxRecipients()) {
      replyError(Replies.TOO_MANY_RECIPIENTS);
      return;
    }
    MailAddress address = rcpt.recipient();
    if (address.isInternationalized() && !tx.parameters.smtpUtf8()) {
      replyError(Replies.NEEDS_SMTPUTF8);
      return;
    }
    Decision decision = ctx.policy().check(address, trusted);
    if (decision instanceof Refuse refuse) {
      replyError(refuse.reply());
      return;
    }
    boolean local = ((RecipientPolicy.Accept) decision).local();
    tx.recipients.add(new Envelope.Recipient(address, rcpt.parameters(), local));
    reply(Replies.RECIPIENT_OK);
  }

  private void data() {
    if (tx == null) {
      replyError(Replies.NEED_MAIL);
      return;
    }
    if (tx.recipients.isEmpty()) {
      replyError(Replies.NEED_RCPT);
      return;
    }
    if (tx.bdat) {
      replyError(Replies.DATA_AFTER_BDAT);
      return;
    }
    openMessage(Framing.DOT_TERMINATED, failure -> {
      if (failure != null) {
        reply(failure);
        resetTransaction();
        return;
      }
      reply(Replies.START_DATA);
      mode = Mode.DATA;
    });
  }

  private void bdat(SmtpCommand.Bdat bdat) {
    bdatRemaining = bdat.size();
    bdatLast = bdat.last();
    bdatRefusal = null;
    if (tx == null) {
      bdatRefusal = Replies.NEED_MAIL;
    } else if (tx.recipients.isEmpty()) {
      bdatRefusal = Replies.NEED_RCPT;
    } else if (tx.bdatTotal + bdat.size() > options.getMaxMessageSize()) {
      bdatRefusal = Replies.MESSAGE_TOO_BIG;
    }
    if (bdatRefusal != null && bdat.size() > 2 * options.getMaxMessageSize()) {
      // a chunk this large is not read just to throw it away
      reply(bdatRefusal);
      close();
      return;
    }
    if (bdatRefusal != null || writer != null) {
      startChunk();
      return;
    }
    tx.bdat = true;
    openMessage(Framing.CHUNKED, failure -> {
      bdatRefusal = failure;
      startChunk();
    });
  }

  private void startChunk() {
    mode = Mode.BDAT;
    if (bdatRemaining == 0) {
      endChunk();
    }
  }

  /**
   * Creates the spool file for the current transaction and then calls {@code then} with null, or
   * with the reply to give when the spool could not take the message.
   */
  private void openMessage(Framing framing, Handler<SmtpReply> then) {
    tx.queueId = ctx.spool().newQueueId();
    Envelope envelope = new Envelope(tx.queueId, tx.sender, tx.parameters, tx.recipients, helo, clientIp,
        esmtp ? "ESMTP" : "SMTP", null, Instant.now());
    busy = true;
    ctx.spool().create(envelope).onComplete(ar -> {
      busy = false;
      lastActivity = System.nanoTime();
      if (closed) {
        if (ar.succeeded()) {
          ar.result().abort();
        }
        return;
      }
      if (ar.failed()) {
        log.error("spool: cannot create a message file", ar.cause());
        then.handle(Replies.LOCAL_ERROR);
      } else {
        writer = ar.result();
        decoder = new DataDecoder(framing, options.getBareLineEndings(), options.getMaxMessageSize(),
            options.getMaxContentLineLength());
        dataStart = System.nanoTime();
        writer.write(Buffer.buffer(receivedHeader(envelope)));
        then.handle(null);
        deadlineAt(dataStart + options.getDataDeadline().toNanos());
      }
      drive();
    });
  }

  // ---------------------------------------------------------------- content

  private boolean readData() {
    decoded = Buffer.buffer(inLimit - inPos);
    int used = decoder.decode(in, inPos, inLimit - inPos, collect);
    inPos += used;
    writeDecoded();
    if (decoder.isComplete()) {
      mode = Mode.COMMAND;
      endMessage();
      return true;
    }
    if (decoder.consumed() > 2 * options.getMaxMessageSize()) {
      // far past the limit with no end in sight: stop reading rather than discard forever
      reply(Replies.MESSAGE_TOO_BIG);
      close();
      return false;
    }
    return used > 0;
  }

  private boolean readBdat() {
    int n = (int) Math.min(bdatRemaining, inLimit - inPos);
    if (bdatRefusal == null) {
      decoded = Buffer.buffer(n);
      decoder.decode(in, inPos, n, collect);
      writeDecoded();
    }
    inPos += n;
    bdatRemaining -= n;
    if (bdatRemaining == 0) {
      endChunk();
    }
    return n > 0;
  }

  private void endChunk() {
    mode = Mode.COMMAND;
    if (bdatRefusal != null) {
      SmtpReply refusal = bdatRefusal;
      bdatRefusal = null;
      if (tx != null) {
        // RFC 3030: a failed chunk fails the whole transaction
        resetTransaction();
      }
      replyError(refusal);
      return;
    }
    tx.bdatTotal = decoder.consumed();
    if (!bdatLast) {
      reply(Replies.bdatChunkOk(tx.bdatTotal));
      return;
    }
    decoded = Buffer.buffer(2);
    decoder.finish(collect);
    writeDecoded();
    endMessage();
  }

  private void writeDecoded() {
    if (decoded.length() > 0) {
      writer.write(decoded);
    }
    decoded = null;
    if (writer.writeQueueFull()) {
      busy = true;
      writer.drainHandler(v -> {
        busy = false;
        drive();
      });
    }
  }

  /** All content is in: refuse it for a problem, or commit it and then say 250. */
  private void endMessage() {
    SmtpReply problem = decoder.problemReply();
    SpoolWriter w = writer;
    String queueId = tx.queueId;
    writer = null;
    decoder = null;
    if (problem != null) {
      w.abort();
      resetTransaction();
      reply(problem);
      return;
    }
    busy = true;
    w.commit().onComplete((AsyncResult<SpooledMessage> ar) -> {
      busy = false;
      lastActivity = System.nanoTime();
      resetTransaction();
      if (ar.succeeded()) {
        log.info("{}: accepted from {} ({}), {} recipient(s)", queueId, clientIp, helo,
            ar.result().envelope().recipients().size());
        if (!closed) {
          reply(Replies.queued(queueId));
        }
        ctx.accepted().accept(ar.result());
      } else {
        log.error("{}: spool commit failed", queueId, ar.cause());
        reply(Replies.LOCAL_ERROR);
      }
      if (!closed) {
        drive();
      }
    });
  }

  private void resetTransaction() {
    if (writer != null) {
      writer.abort();
      writer = null;
    }
    decoder = null;
    tx = null;
  }

  private String receivedHeader(Envelope e) {
    StringBuilder sb = new StringBuilder(200);
    sb.append("Received: from ").append(helo).append(" ([").append(clientIp).append("])\r\n")
        .append("\tby ").append(ctx.hostname()).append(" (Postino) with ").append(e.protocol())
        .append(" id ").append(e.queueId());
    if (e.recipients().size() == 1) {
      sb.append("\r\n\tfor ").append(e.recipients().get(0).address().path());
    }
    sb.append("; ").append(RFC5322_DATE.format(e.received().atZone(ZoneId.systemDefault()))).append("\r\n");
    return sb.toString();
  }

  // ---------------------------------------------------------------- output and lifetime

  private void reply(SmtpReply reply) {
    out.appendBytes(reply.encoded().getBytes(StandardCharsets.UTF_8));
  }

  /** A reply that counts against the session's error budget. */
  private void replyError(SmtpReply reply) {
    reply(reply);
    if (++errors >= options.getMaxErrors()) {
      reply(Replies.TOO_MANY_ERRORS);
      close();
    }
  }

  private void flush() {
    if (out.length() == 0 || closed) {
      return;
    }
    Buffer b = out;
    out = Buffer.buffer(256);
    socket.write(b);
    if (socket.writeQueueFull() && !busy) {
      // the client does not read its replies: stop reading its commands until it does
      busy = true;
      socket.drainHandler(v -> {
        socket.drainHandler(null);
        busy = false;
        drive();
      });
    }
  }

  /** Sends what is pending, then closes. */
  private void close() {
    if (closing) {
      return;
    }
    closing = true;
    flush();
    socket.pause();
    socket.close();
  }

  private void onClosed() {
    closed = true;
    closing = true;
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
    if (writer != null) {
      writer.abort();
      writer = null;
    }
    ctx.limiter().release(clientIp);
  }

  /**
   * One timer per session, armed for the nearest deadline; activity only moves timestamps, and a
   * timer that fires early re-arms itself for what is left.
   */
  private void armTimer() {
    long now = System.nanoTime();
    long next = lastActivity + options.getIdleTimeout().toNanos();
    if (lineStart >= 0) {
      next = Math.min(next, lineStart + options.getCommandDeadline().toNanos());
    }
    if (mode == Mode.DATA || mode == Mode.BDAT) {
      next = Math.min(next, dataStart + options.getDataDeadline().toNanos());
    }
    long delayMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(next - now) + 1);
    timerDue = next;
    timerId = vertx.setTimer(delayMs, id -> onTimer());
  }

  /** Brings the timer forward when a new deadline falls before the one it is armed for. */
  private void deadlineAt(long due) {
    if (timerId >= 0 && due < timerDue) {
      vertx.cancelTimer(timerId);
      armTimer();
    }
  }

  private void onTimer() {
    timerId = -1;
    if (closed || closing) {
      return;
    }
    long now = System.nanoTime();
    if (busy) {
      // waiting on the server, not the client: nothing to hold against the client
      lastActivity = now;
    } else if ((mode == Mode.DATA || mode == Mode.BDAT) && now - dataStart >= options.getDataDeadline().toNanos()) {
      timeout(Replies.DEADLINE_EXCEEDED);
      return;
    } else if (lineStart >= 0 && now - lineStart >= options.getCommandDeadline().toNanos()) {
      timeout(Replies.DEADLINE_EXCEEDED);
      return;
    } else if (now - lastActivity >= options.getIdleTimeout().toNanos()) {
      timeout(Replies.IDLE_TIMEOUT);
      return;
    }
    armTimer();
  }

  private void timeout(SmtpReply reply) {
    log.info("connection from {}: {}", clientIp, reply.text());
    reply(reply);
    close();
  }
}
