package io.postino.server;

import io.postino.bus.PolicyRequest;
import io.postino.intake.ReceivedHeader;
import io.postino.spool.Envelope;
import io.postino.spool.Spool;
import io.postino.spool.SpoolWriter;
import io.postino.spool.SpooledMessage;
import io.postino.server.RecipientPolicy.Decision;
import io.postino.server.RecipientPolicy.Refuse;
import io.postino.server.auth.Authenticator;
import io.postino.server.tls.TlsHandshake;
import io.postino.smtp.Bytes;
import io.postino.smtp.CommandParser;
import io.postino.smtp.DataDecoder;
import io.postino.smtp.DataDecoder.Framing;
import io.postino.smtp.MailAddress;
import io.postino.smtp.MailParameters;
import io.postino.smtp.Replies;
import io.postino.smtp.Rfc5322Dates;
import io.postino.smtp.SaslExchange;
import io.postino.smtp.SmtpCommand;
import io.postino.smtp.SmtpException;
import io.postino.smtp.SmtpReply;
import io.postino.smtp.SubmissionHeaders;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;
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
 * <p>The listener's {@link ListenerPolicy} decides what differs between the SMTP, submission and
 * implicit-TLS ports: whether TLS starts with the connection, whether MAIL needs AUTH, whether
 * missing Message-ID and Date fields are added.
 *
 * <p>SECURITY: a command line is only ever executed when it ended with CRLF within the line limit;
 * the remainder of an over-long line is discarded, never taken as a command. Content ends only at
 * CRLF "." CRLF (see {@link DataDecoder}), so bare-LF smuggling cannot start a second message.
 * Whatever the client sent in plaintext after STARTTLS is discarded, and everything learnt before
 * TLS (EHLO, AUTH, the transaction) is forgotten after it (RFC 3207 section 4.2). AUTH is offered
 * only over TLS unless configured otherwise; passwords are checked off the event loop while the
 * session waits, and failures are limited per session and per client address (counted before the
 * check, so parallel sessions cannot outrun the limit). Content must keep a minimum average rate
 * ({@link DataRateGuard}), and the unfinished messages of an anonymous client address a spool
 * budget ({@link SpoolHold}); "too many recipients" is no error, as the client is doing right.
 */
final class SmtpSession {

  private static final Logger log = LoggerFactory.getLogger(SmtpSession.class);
  private static final byte[] NO_BYTES = new byte[0];
  private static final long CLOSE_GRACE_MILLIS = 10_000;
  /** RFC 4954 section 4: the client's responses to AUTH challenges may be this long, CRLF included. */
  static final int MAX_AUTH_LINE = 12288;

  /** Where the dialogue stands. */
  private enum State { CONNECTED, GREETED, READY }

  /**
   * How incoming bytes are read: commands, the rest of an over-long line, message content, a
   * response to an AUTH challenge, or nothing at all while a TLS handshake is under way.
   */
  private enum Mode { COMMAND, DISCARD_LINE, DATA, BDAT, AUTH_RESPONSE, TLS_HANDSHAKE }

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
  private final Context context;
  private final NetSocket socket;
  private final ServerContext ctx;
  private final ServerOptions options;
  private final ListenerPolicy listener;
  private final String clientIp;
  private final boolean trusted;

  private byte[] in = NO_BYTES;
  private int inPos;
  private int inLimit;
  private Buffer out = Buffer.buffer(256);

  private State state = State.CONNECTED;
  private Mode mode = Mode.COMMAND;
  private boolean busy;
  /** Busy because the client does not read its replies: its fault, so its idle time runs on. */
  private boolean clientNotReading;
  private boolean closed;
  private boolean closing;
  private String helo;
  private boolean esmtp;
  private int errors;
  private Transaction tx;

  private TlsHandshake handshake;
  private SSLSession tls;
  private String user;
  private int authFailures;
  private SaslExchange sasl;

  private DataDecoder decoder;
  private SpoolWriter writer;
  private Buffer decoded;
  private final DataDecoder.Sink collect = (b, off, len) -> decoded.appendBytes(b, off, len);
  /** Where decoded content goes: {@link #collect}, or the header completion in front of it. */
  private DataDecoder.Sink sink = collect;
  private SubmissionHeaders headers;
  private long bdatRemaining;
  private boolean bdatLast;
  private SmtpReply bdatRefusal;
  private final SpoolHold spoolHold;

  private long lastActivity;
  private long lineStart = -1;
  private long dataStart;
  private final DataRateGuard dataRate;
  private long timerId = -1;
  /** The greeting delay or the close grace period, whichever is pending; -1 for none. */
  private long otherTimerId = -1;
  private long timerDue;

  SmtpSession(Vertx vertx, NetSocket socket, ServerContext ctx, String clientIp, boolean trusted) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.socket = socket;
    this.ctx = ctx;
    this.options = ctx.options();
    this.listener = ctx.listener();
    this.clientIp = clientIp;
    this.trusted = trusted;
    this.spoolHold = new SpoolHold(ctx.spoolBudget(), clientIp);
    this.dataRate = new DataRateGuard(options.getMinDataRateGrace().toNanos(), options.getMinDataRate());
  }

  void start() {
    lastActivity = System.nanoTime();
    socket.handler(this::onData);
    socket.closeHandler(v -> onClosed());
    socket.exceptionHandler(e -> {
      log.debug("connection from {}: {}", clientIp, e.toString());
      close();
    });
    if (listener.implicitTls()) {
      beginImplicitTls();
    } else {
      greetAfterDelay();
    }
    armTimer();
  }

  private void greetAfterDelay() {
    long delay = options.getGreetingDelay().toMillis();
    if (delay > 0) {
      otherTimerId = vertx.setTimer(delay, id -> greet());
    } else {
      greet();
    }
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
    if (mode == Mode.TLS_HANDSHAKE) {
      if (!handshake.isComplete()) {
        // plaintext the server read before the TLS handler took over: never executed
        log.debug("connection from {}: discarded {} plaintext bytes during the TLS handshake", clientIp,
            data.length());
        return;
      }
      // the first decrypted bytes can arrive before the handshake future's callback has run
      tlsEstablished();
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
        case AUTH_RESPONSE -> readAuthResponse();
        case TLS_HANDSHAKE -> {
          inPos = inLimit;
          yield false;
        }
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
    int lf = Bytes.indexOf(in, inPos, inLimit, (byte) '\n');
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
    int lf = Bytes.indexOf(in, inPos, inLimit, (byte) '\n');
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
      case STARTTLS -> startTls();
      case AUTH -> auth((SmtpCommand.Auth) command);
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
    List<String> extensions = new ArrayList<>(List.of(
        "PIPELINING",
        "SIZE " + options.getMaxMessageSize(),
        "8BITMIME",
        "SMTPUTF8",
        "ENHANCEDSTATUSCODES",
        "CHUNKING"));
    if (ctx.tls() != null && tls == null) {
      extensions.add("STARTTLS");
    }
    if (authOffered()) {
      extensions.add("AUTH " + SaslExchange.MECHANISMS);
      // the pre-standard form some old Outlook versions look for
      extensions.add("AUTH=" + SaslExchange.MECHANISMS);
    }
    reply(Replies.ehlo(ctx.hostname(), extensions));
  }

  private boolean authOffered() {
    return ctx.auth() != null && (tls != null || ctx.auth().options().isAllowPlaintext());
  }

  // ---------------------------------------------------------------- TLS

  private void startTls() {
    if (tls != null) {
      replyError(Replies.TLS_ALREADY_ACTIVE);
      return;
    }
    if (ctx.tls() == null) {
      replyError(Replies.NOT_IMPLEMENTED);
      return;
    }
    int pipelined = inLimit - inPos;
    // SECURITY: commands pipelined after STARTTLS in plaintext are dropped, never run (CVE-2011-0411)
    inPos = inLimit;
    if (pipelined > 0) {
      log.info("connection from {}: discarded {} bytes sent after STARTTLS in plaintext", clientIp, pipelined);
    }
    try {
      // before the 220 is written: the TLS handler lets that one write through in plaintext
      handshake = ctx.tls().startTls(socket, context);
    } catch (RuntimeException e) {
      log.warn("connection from {}: cannot start TLS: {}", clientIp, e.toString());
      reply(Replies.TLS_NOT_AVAILABLE);
      return;
    }
    reply(Replies.READY_FOR_TLS);
    mode = Mode.TLS_HANDSHAKE;
    handshake.future().onComplete(this::handshakeDone);
  }

  private void beginImplicitTls() {
    try {
      handshake = ctx.tls().implicitTls(socket, context);
    } catch (RuntimeException e) {
      log.warn("connection from {}: cannot start TLS: {}", clientIp, e.toString());
      close();
      return;
    }
    mode = Mode.TLS_HANDSHAKE;
    handshake.future().onComplete(this::handshakeDone);
  }

  private void handshakeDone(AsyncResult<SSLSession> ar) {
    if (closing) {
      return;
    }
    if (ar.failed()) {
      log.debug("connection from {}: TLS handshake failed: {}", clientIp, ar.cause().toString());
      close();
      return;
    }
    tlsEstablished();
  }

  /** The handshake is done: start afresh, as after the greeting (RFC 3207 section 4.2). */
  private void tlsEstablished() {
    if (mode != Mode.TLS_HANDSHAKE) {
      return;
    }
    tls = handshake.session();
    handshake = null;
    mode = Mode.COMMAND;
    resetTransaction();
    helo = null;
    esmtp = false;
    user = null;
    in = NO_BYTES;
    inPos = 0;
    inLimit = 0;
    lineStart = -1;
    log.debug("connection from {}: {} with {}", clientIp, tls.getProtocol(), tls.getCipherSuite());
    if (listener.implicitTls()) {
      greetAfterDelay();
    } else {
      state = State.GREETED;
    }
  }

  // ---------------------------------------------------------------- AUTH

  private void auth(SmtpCommand.Auth command) {
    Authenticator auth = ctx.auth();
    if (auth == null) {
      replyError(Replies.AUTH_NOT_ENABLED);
      return;
    }
    if (state != State.READY) {
      replyError(Replies.NEED_HELO);
      return;
    }
    if (tls == null && !auth.options().isAllowPlaintext()) {
      replyError(Replies.ENCRYPTION_REQUIRED);
      return;
    }
    if (user != null) {
      replyError(Replies.ALREADY_AUTHENTICATED);
      return;
    }
    if (tx != null) {
      replyError(Replies.AUTH_IN_TRANSACTION);
      return;
    }
    if (auth.isBlocked(clientIp)) {
      log.info("connection from {}: AUTH refused, too many failures from this address", clientIp);
      reply(Replies.TOO_MANY_AUTH_FAILURES);
      close();
      return;
    }
    sasl = SaslExchange.create(command.mechanism());
    if (sasl == null) {
      replyError(Replies.UNKNOWN_MECHANISM);
      return;
    }
    saslStep(sasl.start(command.initialResponse()));
  }

  /** A line answering a 334 challenge: up to {@link #MAX_AUTH_LINE} octets, not a command. */
  private boolean readAuthResponse() {
    int lf = Bytes.indexOf(in, inPos, inLimit, (byte) '\n');
    if (lf < 0) {
      if (lineStart < 0) {
        lineStart = System.nanoTime();
        deadlineAt(lineStart + options.getCommandDeadline().toNanos());
      }
      if (inLimit - inPos >= MAX_AUTH_LINE) {
        sasl = null;
        inPos = inLimit;
        mode = Mode.DISCARD_LINE;
      }
      return false;
    }
    int start = inPos;
    inPos = lf + 1;
    lineStart = -1;
    if (lf + 1 - start > MAX_AUTH_LINE || lf == start || in[lf - 1] != '\r') {
      sasl = null;
      mode = Mode.COMMAND;
      replyError(lf + 1 - start > MAX_AUTH_LINE ? Replies.LINE_TOO_LONG : Replies.BAD_CHARACTER);
      return true;
    }
    // ISO-8859-1 keeps every byte one character: anything but base64 is then refused as such
    saslStep(sasl.respond(new String(in, start, lf - 1 - start, StandardCharsets.ISO_8859_1)));
    return true;
  }

  private void saslStep(SaslExchange.Step step) {
    if (step instanceof SaslExchange.Challenge challenge) {
      reply(Replies.challenge(challenge.base64()));
      mode = Mode.AUTH_RESPONSE;
      return;
    }
    sasl = null;
    mode = Mode.COMMAND;
    if (step instanceof SaslExchange.Refused refused) {
      if (refused.failedAttempt()) {
        authFailed(ctx.auth().recordFailure(clientIp));
      } else {
        replyError(refused.reply());
      }
      return;
    }
    SaslExchange.Credentials credentials = (SaslExchange.Credentials) step;
    // SECURITY: the failure is counted before the check and given back if it succeeds, so that
    // parallel sessions from one address cannot all get a check in before the block applies
    if (!ctx.auth().reserveFailure(clientIp)) {
      log.info("connection from {}: AUTH refused, too many failures from this address", clientIp);
      reply(Replies.TOO_MANY_AUTH_FAILURES);
      close();
      return;
    }
    busy = true;
    ctx.auth().verify(credentials.user(), credentials.password()).onComplete(ar -> {
      if (ar.failed() || ar.result()) {
        ctx.auth().releaseFailure(clientIp);
      }
      busy = false;
      lastActivity = System.nanoTime();
      if (closed) {
        return;
      }
      if (ar.failed()) {
        log.error("connection from {}: cannot check credentials", clientIp, ar.cause());
        reply(Replies.AUTH_TEMPORARY_FAILURE);
      } else if (ar.result()) {
        user = credentials.user();
        log.info("connection from {}: authenticated as {}", clientIp, user);
        reply(Replies.AUTH_OK);
      } else {
        authFailed(ctx.auth().isBlocked(clientIp));
      }
      drive();
    });
  }

  /** @param clientBlocked the failure, already counted for the address, used up its allowance */
  private void authFailed(boolean clientBlocked) {
    authFailures++;
    // the attempted name is not logged: it is the client's text, and may be a password typed in the wrong box
    log.info("connection from {}: authentication failed ({} in this session)", clientIp, authFailures);
    reply(Replies.AUTH_FAILED);
    if (clientBlocked || authFailures >= ctx.auth().options().getMaxFailuresPerSession()) {
      reply(Replies.TOO_MANY_AUTH_FAILURES);
      close();
    }
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
    if (user == null && listener.requireAuth()) {
      replyError(Replies.AUTH_REQUIRED);
      return;
    }
    if (user != null && ctx.auth().options().isRestrictSender() && !ctx.auth().mayUseSender(user, mail.sender())) {
      replyError(Replies.senderNotOwned(mail.sender(), user));
      return;
    }
    MailParameters p = mail.parameters();
    if (p.size() > options.getMaxMessageSize()) {
      replyError(Replies.sizeDeclaredTooBig(options.getMaxMessageSize()));
      return;
    }
    if (spoolBudgeted() && !spoolHold.fits(p.size())) {
      reply(Replies.CLIENT_SPOOL_FULL);
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
    if (writer != null) {
      // between BDAT chunks the envelope is already in the spool file
      replyError(Replies.RCPT_AFTER_BDAT);
      return;
    }
    if (tx.recipients.size() >= options.getMaxRecipients()) {
      // not the client's mistake: it sends the rest in a later transaction (RFC 5321 section
      // 4.5.3.1.8), so this does not count against its error budget, as in Postfix
      reply(Replies.TOO_MANY_RECIPIENTS);
      return;
    }
    MailAddress address = rcpt.recipient();
    if (address.isInternationalized() && !tx.parameters.smtpUtf8()) {
      replyError(Replies.NEEDS_SMTPUTF8);
      return;
    }
    Decision decision = ctx.policy().check(address, trusted || user != null);
    if (decision instanceof Refuse refuse) {
      replyError(refuse.reply());
      return;
    }
    Envelope.Recipient recipient = new Envelope.Recipient(address, rcpt.parameters(),
        ((RecipientPolicy.Accept) decision).local());
    ApplicationPolicy hooks = ctx.applicationPolicy();
    if (hooks == null) {
      tx.recipients.add(recipient);
      reply(Replies.RECIPIENT_OK);
      return;
    }
    busy = true;
    hooks.checkRecipient(policyRequest("rcpt", tx.sender, List.of(address.address()), null)).onComplete(ar -> {
      busy = false;
      lastActivity = System.nanoTime();
      if (closed) {
        return;
      }
      SmtpReply refusal = ar.result();
      if (refusal != null) {
        replyError(refusal);
      } else {
        tx.recipients.add(recipient);
        reply(Replies.RECIPIENT_OK);
      }
      drive();
    });
  }

  /** What an application's policy consumer is told; {@code message} only at the data stage. */
  private PolicyRequest policyRequest(String stage, MailAddress sender, List<String> recipients,
      SpooledMessage message) {
    return new PolicyRequest(stage, clientIp, helo, user, sender.address(), recipients,
        message == null ? null : message.queueId(),
        message == null ? null : message.file().toAbsolutePath().toString(),
        message == null ? 0 : message.contentOffset(),
        message == null ? 0 : message.contentLength());
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
    long before = tx == null ? 0 : tx.bdatTotal;
    if (tx == null) {
      bdatRefusal = Replies.NEED_MAIL;
    } else if (tx.recipients.isEmpty()) {
      bdatRefusal = Replies.NEED_RCPT;
    } else if (bdat.size() > options.getMaxMessageSize() - before) {
      // subtracted, never added: a size near Long.MAX_VALUE must not wrap round to "fits"
      bdatRefusal = Replies.MESSAGE_TOO_BIG;
    }
    if (bdat.size() > options.getDiscardLimit() - before) {
      // as with DATA: content this far past the limit is not read just to be thrown away
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
    if (writer == null) {
      // a refused chunk is read without a message file: its deadline starts now too
      startDataClock();
    } else {
      // the clock ran on between chunks, while the timer looked at commands only
      deadlineAt(dataDeadline());
    }
    mode = Mode.BDAT;
    if (bdatRemaining == 0) {
      endChunk();
    }
  }

  /**
   * Starts the spool file of the current transaction and then calls {@code then} with null, or
   * with the reply to give when the spool cannot take the message.
   */
  private void openMessage(Framing framing, Handler<SmtpReply> then) {
    tx.queueId = ctx.spool().newQueueId();
    Envelope envelope = new Envelope(tx.queueId, tx.sender, tx.parameters, tx.recipients, helo, clientIp,
        ReceivedHeader.protocol(esmtp, tx.parameters.smtpUtf8(), tls != null, user != null), user, Instant.now());
    boolean nameUser = ctx.auth() != null && ctx.auth().options().isAuthenticatedHeader();
    try {
      writer = ctx.spool().create(envelope,
          Buffer.buffer(ReceivedHeader.format(envelope, ctx.hostname(), tls, nameUser)));
    } catch (IllegalArgumentException e) {
      log.error("spool: cannot start a message file", e);
      then.handle(Replies.LOCAL_ERROR);
      return;
    }
    decoder = new DataDecoder(framing, options.getBareLineEndings(), options.getMaxMessageSize(),
        options.getMaxContentLineLength());
    startDataClock();
    if (listener.completeHeaders()) {
      headers = new SubmissionHeaders("<" + tx.queueId + "@" + ctx.hostname() + ">",
          Rfc5322Dates.format(envelope.received()), collect);
      sink = headers;
    }
    then.handle(null);
  }

  /** The content of a message (or a refused chunk) starts: its deadline and data rate count from now. */
  private void startDataClock() {
    dataStart = System.nanoTime();
    dataRate.start(dataStart);
    deadlineAt(dataDeadline());
  }

  /** The nearer of the content's deadline and the moment its data rate becomes too low. */
  private long dataDeadline() {
    return Math.min(dataStart + options.getDataDeadline().toNanos(), dataRate.deadline());
  }

  // ---------------------------------------------------------------- content

  private boolean readData() {
    decoded = Buffer.buffer(inLimit - inPos);
    int used = decoder.decode(in, inPos, inLimit - inPos, sink);
    inPos += used;
    dataRate.received(used);
    writeDecoded();
    if (decoder.isComplete()) {
      mode = Mode.COMMAND;
      endMessage();
      return true;
    }
    if (decoder.consumed() > options.getDiscardLimit()) {
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
      decoder.decode(in, inPos, n, sink);
      writeDecoded();
    }
    inPos += n;
    dataRate.received(n);
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
    if (spoolHold.isOver()) {
      resetTransaction();
      reply(Replies.CLIENT_SPOOL_FULL);
      return;
    }
    tx.bdatTotal = decoder.consumed();
    if (!bdatLast) {
      reply(Replies.bdatChunkOk(tx.bdatTotal));
      return;
    }
    decoded = Buffer.buffer(2);
    decoder.finish(sink);
    writeDecoded();
    endMessage();
  }

  private void writeDecoded() {
    if (decoded.length() > 0 && (!spoolBudgeted() || spoolHold.take(decoded.length()))) {
      writer.write(decoded);
    }
    decoded = null;
    if (writer.writeQueueFull()) {
      busy = true;
      long waitStart = System.nanoTime();
      writer.drainHandler(v -> {
        dataRate.excuse(System.nanoTime() - waitStart);
        busy = false;
        drive();
      });
    }
  }

  /** Clients neither authenticated nor trusted have their unfinished messages' spool space limited. */
  private boolean spoolBudgeted() {
    return user == null && !trusted;
  }

  /** All content is in: refuse it for a problem, or commit it and then say 250. */
  private void endMessage() {
    SmtpReply problem = decoder.problemReply();
    if (problem == null && spoolHold.isOver()) {
      problem = Replies.CLIENT_SPOOL_FULL;
    }
    if (headers != null && problem == null) {
      decoded = Buffer.buffer(128);
      headers.finish();
      writeDecoded();
    }
    SpoolWriter w = writer;
    if (busy) {
      // the last content left the write queue full: commit and abort wait for the queued writes
      // themselves, and a drain handler resuming the session now would run pipelined commands
      // before this message has its reply
      w.drainHandler(null);
      busy = false;
    }
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
    commitAndJudge(w)
        .onComplete(ar -> {
          busy = false;
          lastActivity = System.nanoTime();
          resetTransaction();
          if (ar.failed()) {
            log.error("{}: spool commit failed", queueId, ar.cause());
            reply(Spool.isOutOfSpace(ar.cause()) ? Replies.INSUFFICIENT_STORAGE : Replies.LOCAL_ERROR);
          } else if (ar.result().refusal() != null) {
            log.info("{}: refused by policy: {}", queueId, ar.result().refusal());
            reply(ar.result().refusal());
          } else {
            SpooledMessage message = ar.result().message();
            log.info("{}: accepted from {} ({}), {} recipient(s)", queueId, clientIp, helo,
                message.envelope().recipients().size());
            if (!closed) {
              reply(Replies.queued(queueId));
            }
            ctx.accepted().accept(message);
          }
          if (!closed) {
            drive();
          }
        });
  }

  /** A committed message and the data policy's refusal of it, if any. */
  private record Judged(SpooledMessage message, SmtpReply refusal) {
  }

  /**
   * Commits the message and asks the application's data policy about it once it is safe in the
   * spool (so the consumer can read it there); the spool keeps the queue away from it until the
   * verdict, and removes a refused message durably before the refusal is sent.
   */
  private Future<Judged> commitAndJudge(SpoolWriter w) {
    ApplicationPolicy hooks = ctx.applicationPolicy();
    if (hooks == null) {
      return w.commit().map(message -> new Judged(message, null));
    }
    return ctx.spool().commitJudged(w, message -> hooks.checkMessage(policyRequest("data", message.envelope().sender(),
        message.envelope().recipients().stream().map(r -> r.address().address()).toList(), message))
        .map(refusal -> new Judged(message, refusal)), judged -> judged.refusal() == null);
  }

  private void resetTransaction() {
    if (writer != null) {
      writer.abort();
      writer = null;
    }
    decoder = null;
    headers = null;
    sink = collect;
    tx = null;
    spoolHold.release();
  }

  // ---------------------------------------------------------------- output and lifetime

  private void reply(SmtpReply reply) {
    out.appendBytes(reply.encodedBytes());
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
      clientNotReading = true;
      socket.drainHandler(v -> {
        socket.drainHandler(null);
        clientNotReading = false;
        busy = false;
        lastActivity = System.nanoTime();
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
    if (clientNotReading) {
      hardClose();
      return;
    }
    socket.close();
    // a graceful close waits for pending replies to be sent: never longer than this
    otherTimerId = vertx.setTimer(CLOSE_GRACE_MILLIS, id -> {
      if (!closed) {
        hardClose();
      }
    });
  }

  /** Closes the connection now, dropping replies the client has not read. */
  private void hardClose() {
    if (socket instanceof NetSocketInternal internal) {
      // from the handler nearest the socket: the close skips Vert.x's own handler, which would
      // wait for the unread replies to be flushed first
      internal.channelHandlerContext().pipeline().firstContext().close();
    } else {
      socket.close();
    }
  }

  private void onClosed() {
    closed = true;
    closing = true;
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
    if (otherTimerId >= 0) {
      vertx.cancelTimer(otherTimerId);
    }
    if (writer != null) {
      writer.abort();
      writer = null;
    }
    spoolHold.release();
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
      next = Math.min(next, dataDeadline());
    }
    armTimerFor(now, next);
  }

  private void armTimerFor(long now, long due) {
    long delayMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(due - now) + 1);
    timerDue = due;
    timerId = vertx.setTimer(delayMs, id -> onTimer());
  }

  /**
   * Brings the timer forward when a new deadline falls before the one it is armed for; armed for
   * that deadline itself, as the mode it belongs to may not be set yet.
   */
  private void deadlineAt(long due) {
    if (timerId >= 0 && due < timerDue) {
      vertx.cancelTimer(timerId);
      armTimerFor(System.nanoTime(), due);
    }
  }

  private void onTimer() {
    timerId = -1;
    if (closed || closing) {
      return;
    }
    long now = System.nanoTime();
    if (busy && !clientNotReading) {
      // waiting on the server, not the client: nothing to hold against the client
      lastActivity = now;
    } else if (busy) {
      // a client that stopped reading its replies is as idle as one that stopped talking
      if (now - lastActivity >= options.getIdleTimeout().toNanos()) {
        timeout(Replies.IDLE_TIMEOUT);
        return;
      }
    } else if ((mode == Mode.DATA || mode == Mode.BDAT) && now - dataStart >= options.getDataDeadline().toNanos()) {
      timeout(Replies.DEADLINE_EXCEEDED);
      return;
    } else if ((mode == Mode.DATA || mode == Mode.BDAT) && dataRate.isTooSlow(now)) {
      log.info("connection from {}: content too slow: {}, below {} bytes/s after the {} s grace", clientIp,
          dataRate.achieved(now), options.getMinDataRate(), options.getMinDataRateGrace().toSeconds());
      timeout(Replies.DATA_TOO_SLOW);
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
