package io.postino.server.session;

import io.postino.authres.AuthResult;
import io.postino.authres.Verdict;
import io.postino.intake.ReceivedHeader;
import io.postino.metrics.Refusal;
import io.postino.spool.Envelope;
import io.postino.spool.SpoolSpace;
import io.postino.spool.SpoolWriter;
import io.postino.spool.SpooledMessage;
import io.postino.server.ApplicationPolicy;
import io.postino.server.ServerContext;
import io.postino.server.ServerOptions;
import io.postino.smtp.DataDecoder;
import io.postino.smtp.DataDecoder.Framing;
import io.postino.smtp.DataDecoder.Problem;
import io.postino.smtp.ForgedResultsFilter;
import io.postino.smtp.Replies;
import io.postino.smtp.Rfc5322Dates;
import io.postino.smtp.SmtpCommand;
import io.postino.smtp.SmtpReply;
import io.postino.smtp.SubmissionHeaders;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DATA and BDAT: the content of the current transaction's message, decoded from the session's
 * {@link Input} straight into its spool file (with the {@code Received:} header in front, the
 * {@code Authentication-Results:} fields that claim this server's name removed, and the
 * missing header fields added on listeners that complete them), under the size limits and the
 * client's spool budget; then the commit, the application's data policy and the final reply.
 * Content ends only at CRLF "." CRLF (see {@link DataDecoder}), so bare-LF smuggling cannot start
 * a second message. A full spool write queue makes the session wait; the time is not held against
 * the client's data rate.
 */
final class ContentReception {

  private static final Logger log = LoggerFactory.getLogger(SmtpSession.class);

  private final SmtpSession session;
  private final ServerContext ctx;
  private final ServerOptions options;
  private final Client client;
  private final Input input;
  private final SessionClock clock;
  private final SpoolHold spoolHold;
  private final SessionLog sessionLog;

  private DataDecoder decoder;
  private SpoolWriter writer;
  /** The current message's waits for a full spool write queue so far. */
  private int spoolWaits;
  /** What the checks of the current message's content (DMARC) decided. */
  private Verdict verdict;
  private Buffer decoded;
  private final DataDecoder.Sink collect = (b, off, len) -> decoded.appendBytes(b, off, len);
  /** Where decoded content goes: {@link #collect}, or the header completion in front of it. */
  private DataDecoder.Sink sink = collect;
  private SubmissionHeaders headers;
  /** In front of {@link #headers}: removes the Authentication-Results that claim this server's name. */
  private ForgedResultsFilter forged;
  private long bdatRemaining;
  private boolean bdatLast;
  private SmtpReply bdatRefusal;

  ContentReception(SmtpSession session, ServerContext ctx, Client client, Input input, SessionClock clock,
      SpoolHold spoolHold, SessionLog sessionLog) {
    this.session = session;
    this.ctx = ctx;
    this.options = ctx.options();
    this.client = client;
    this.input = input;
    this.clock = clock;
    this.spoolHold = spoolHold;
    this.sessionLog = sessionLog;
  }

  /**
   * The session waits for the spool for the first time in this message: while the message's file
   * opens, as every message of more than 128 KiB does (smaller ones wait whole in memory), the
   * rest of which arrives meanwhile.
   */
  boolean firstSpoolWait() {
    return spoolWaits == 1;
  }

  /** The message has a spool file: its envelope is written. */
  boolean isStoring() {
    return writer != null;
  }

  void data() {
    Transaction tx = session.transaction();
    if (tx == null) {
      session.replyError(Replies.NEED_MAIL);
      return;
    }
    if (tx.recipients.isEmpty()) {
      session.replyError(Replies.NEED_RCPT);
      return;
    }
    if (tx.bdat) {
      session.replyError(Replies.DATA_AFTER_BDAT);
      return;
    }
    SmtpReply failure = openMessage(tx, Framing.DOT_TERMINATED);
    if (failure != null) {
      session.reply(failure);
      session.resetTransaction();
      return;
    }
    session.reply(Replies.START_DATA);
    session.enter(Phase.DATA);
  }

  void bdat(SmtpCommand.Bdat bdat) {
    Transaction tx = session.transaction();
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
      session.reply(bdatRefusal);
      countRefusal(bdatRefusal);
      session.close();
      return;
    }
    if (bdatRefusal == null && writer == null) {
      tx.bdat = true;
      bdatRefusal = openMessage(tx, Framing.CHUNKED);
    }
    if (writer == null) {
      // a refused chunk is read without a message file: its deadline starts now too
      clock.contentStarted();
    } else {
      // the clock ran on between chunks, while the timer looked at commands only
      clock.contentContinued();
    }
    session.enter(Phase.BDAT);
    if (bdatRemaining == 0) {
      endChunk();
    }
  }

  /**
   * Starts the spool file of the transaction: null, or the reply to give when the spool cannot
   * take the message.
   */
  private SmtpReply openMessage(Transaction tx, Framing framing) {
    tx.queueId = ctx.intake().newQueueId();
    sessionLog.queued(tx.queueId);
    Envelope envelope = new Envelope(tx.queueId, tx.sender, tx.parameters, tx.recipients, client.helo(),
        client.ip(), ReceivedHeader.protocol(client.esmtp(), tx.parameters.smtpUtf8(), client.tls() != null,
            client.user() != null), client.user(), Instant.now());
    boolean nameUser = ctx.auth() != null && ctx.auth().options().isAuthenticatedHeader();
    try {
      List<AuthResult> known = new ArrayList<>(client.results);
      known.addAll(tx.results);
      verdict = new Verdict();
      writer = ctx.intake().open(envelope, client.tls(), nameUser, known, verdict);
      spoolWaits = 0;
    } catch (IllegalArgumentException e) {
      log.error("spool: cannot start a message file", e);
      return Replies.LOCAL_ERROR;
    }
    decoder = new DataDecoder(framing, options.getBareLineEndings(), options.getMaxMessageSize(),
        options.getMaxContentLineLength());
    clock.contentStarted();
    // every message's header section is read for its Message-ID (the accept line logs it); on
    // listeners that complete headers, the missing fields are added too
    headers = ctx.listener().completeHeaders()
        ? new SubmissionHeaders("<" + tx.queueId + "@" + ctx.hostname() + ">", Rfc5322Dates.format(envelope.received()),
            collect)
        : SubmissionHeaders.reading(collect);
    forged = new ForgedResultsFilter(ctx.hostname(), headers);
    sink = forged;
    return null;
  }

  /** In phase DATA: decodes what has arrived, up to the end of the content. */
  boolean readData() {
    int available = input.remaining();
    // past the size limit nothing is decoded any more: the discarded reads need no room
    decoded = Buffer.buffer(decoder.problem() == Problem.TOO_BIG ? 0 : available);
    int used = decoder.decode(input.bytes(), input.position(), available, sink);
    input.skip(used);
    clock.received(used);
    session.meters().received(used);
    writeDecoded();
    if (decoder.isComplete()) {
      session.commandsAgain();
      endMessage();
      return true;
    }
    if (decoder.consumed() > options.getDiscardLimit()) {
      // far past the limit with no end in sight: stop reading rather than discard forever
      session.reply(Replies.MESSAGE_TOO_BIG);
      session.meters().refused(Refusal.SIZE);
      session.close();
      return false;
    }
    return used > 0;
  }

  /** In phase BDAT: takes what has arrived of the chunk; a refused chunk is read and dropped. */
  boolean readChunk() {
    int n = (int) Math.min(bdatRemaining, input.remaining());
    if (bdatRefusal == null) {
      decoded = Buffer.buffer(n);
      decoder.decode(input.bytes(), input.position(), n, sink);
      writeDecoded();
    }
    input.skip(n);
    clock.received(n);
    session.meters().received(n);
    bdatRemaining -= n;
    if (bdatRemaining == 0) {
      endChunk();
    }
    return n > 0;
  }

  private void endChunk() {
    session.commandsAgain();
    if (bdatRefusal != null) {
      SmtpReply refusal = bdatRefusal;
      bdatRefusal = null;
      if (session.transaction() != null) {
        // RFC 3030: a failed chunk fails the whole transaction
        session.resetTransaction();
      }
      session.replyError(refusal);
      countRefusal(refusal);
      return;
    }
    if (spoolHold.isOver()) {
      session.resetTransaction();
      session.reply(Replies.CLIENT_SPOOL_FULL);
      session.meters().refused(Refusal.STORAGE);
      return;
    }
    Transaction tx = session.transaction();
    tx.bdatTotal = decoder.consumed();
    if (!bdatLast) {
      session.reply(Replies.bdatChunkOk(tx.bdatTotal));
      return;
    }
    decoded = Buffer.buffer(2);
    decoder.finish(sink);
    writeDecoded();
    endMessage();
  }

  private void writeDecoded() {
    if (decoded.length() > 0 && (!client.spoolBudgeted() || spoolHold.take(decoded.length()))) {
      writer.write(decoded);
    }
    decoded = null;
    if (writer.writeQueueFull()) {
      session.waitFor(Wait.SPOOL);
      spoolWaits++;
      long waitStart = System.nanoTime();
      writer.drainHandler(v -> {
        clock.excuse(System.nanoTime() - waitStart);
        session.resume();
      });
    }
  }

  /** All content is in: refuse it for a problem, or commit it and then say 250. */
  private void endMessage() {
    SmtpReply problem = decoder.problemReply();
    if (problem == null && spoolHold.isOver()) {
      problem = Replies.CLIENT_SPOOL_FULL;
    }
    if (problem == null) {
      decoded = Buffer.buffer(128);
      forged.finish();
      headers.finish();
      writeDecoded();
    }
    SpoolWriter w = writer;
    if (session.waiting() == Wait.SPOOL) {
      // the last content left the write queue full: commit and abort wait for the queued writes
      // themselves, and a drain handler resuming the session now would run pipelined commands
      // before this message has its reply
      w.drainHandler(null);
      session.stopWaiting();
    }
    String queueId = session.transaction().queueId;
    String messageId = headers.messageId();
    if (forged.removed() > 0) {
      log.info("{}: removed {} Authentication-Results field(s) claiming to be from {}", queueId, forged.removed(),
          ctx.hostname());
    }
    writer = null;
    decoder = null;
    if (problem != null) {
      w.abort();
      session.resetTransaction();
      session.reply(problem);
      countRefusal(problem);
      return;
    }
    session.suspendUntil(commitAndJudge(w, verdict).andThen(ar -> handOff(queueId, messageId, ar)), ar -> {
      session.resetTransaction();
      session.reply(finalReply(queueId, ar));
    });
  }

  /** A committed message and the refusal of it (by the data policy, or DMARC), if any. */
  private record Judged(SpooledMessage message, SmtpReply refusal, Refusal reason) {

    Judged(SpooledMessage message, SmtpReply refusal) {
      this(message, refusal, Refusal.POLICY);
    }
  }

  /**
   * Commits the message and asks the application's data policy about it once it is safe in the
   * spool (so the consumer can read it there); the spool keeps the queue away from it until the
   * verdict, and removes a refused message durably before the refusal is sent.
   */
  private Future<Judged> commitAndJudge(SpoolWriter w, Verdict checks) {
    // with no consumer known to listen, the message is not withheld from the queue for a verdict
    ApplicationPolicy hooks = ctx.applicationPolicy() == null || !ctx.applicationPolicy().asksAboutMessages()
        ? null : ctx.applicationPolicy();
    if (hooks == null && !checks.isExpected()) {
      return ctx.intake().commit(w).map(message -> new Judged(message, null));
    }
    return ctx.intake().commitJudged(w, message -> {
      // the content's checks ran before the commit completed: their refusal comes first
      if (checks.refusal() != null) {
        return Future.succeededFuture(new Judged(message, Replies.senderAuthenticationFailed(checks.refusal()),
            Refusal.SENDER_AUTH));
      }
      return hooks == null ? Future.succeededFuture(new Judged(message, null))
          : hooks.checkMessage(client.policyRequest("data", message.envelope().sender(),
              message.envelope().recipients().stream().map(r -> r.address().address()).toList(), message),
              () -> ctx.intake().materialize(message)).map(refusal -> new Judged(message, refusal));
    }, judged -> judged.refusal() == null);
  }

  /** What becomes of the message, whether or not its client is still connected. */
  private void handOff(String queueId, String messageId, AsyncResult<Judged> ar) {
    if (ar.failed()) {
      log.error("{}: spool commit failed", queueId, ar.cause());
      countRefusal(finalReply(queueId, ar));
    } else if (ar.result().refusal() != null) {
      // a refusal is logged with its reply, as every refusal (SessionLog)
      session.meters().refused(ar.result().reason());
    } else {
      ctx.intake().handOff(ar.result().message(), messageId);
      session.meters().accepted();
    }
  }

  /** Counts a refusal of content by its reason; replies about the dialogue (no MAIL yet...) are not counted. */
  private void countRefusal(SmtpReply refusal) {
    Refusal reason = refusal == Replies.MESSAGE_TOO_BIG ? Refusal.SIZE
        : refusal == Replies.CLIENT_SPOOL_FULL || refusal == Replies.INSUFFICIENT_STORAGE ? Refusal.STORAGE
        : refusal == Replies.BARE_LINE_ENDING || refusal == Replies.NUL_IN_CONTENT
            || refusal == Replies.CONTENT_LINE_TOO_LONG ? Refusal.CONTENT : null;
    if (reason != null) {
      session.meters().refused(reason);
    }
  }

  private static SmtpReply finalReply(String queueId, AsyncResult<Judged> ar) {
    if (ar.failed()) {
      return SpoolSpace.isOutOfSpace(ar.cause()) ? Replies.INSUFFICIENT_STORAGE : Replies.LOCAL_ERROR;
    }
    SmtpReply refusal = ar.result().refusal();
    return refusal != null ? refusal : Replies.queued(queueId);
  }

  /** The transaction ends: an unfinished message is thrown away, and its spool space given back. */
  void reset() {
    if (writer != null) {
      writer.abort();
      writer = null;
    }
    decoder = null;
    headers = null;
    forged = null;
    sink = collect;
    spoolHold.release();
  }

  /** The connection is gone: an unfinished message is thrown away, and its spool space given back. */
  void connectionClosed() {
    if (writer != null) {
      writer.abort();
      writer = null;
    }
    spoolHold.release();
  }
}
