package io.postino.delivery;

import io.postino.bus.DeliveryJob;
import io.postino.bus.RecipientResult;
import io.postino.mime.Resigner;
import io.postino.smtp.MailAddress;
import io.postino.smtp.MailParameters;
import io.postino.smtp.RcptParameters;
import io.postino.smtp.ServerExtensions;
import io.postino.smtp.SmtpReply;
import io.postino.smtp.XText;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * One mail transaction over a ready session: MAIL, one RCPT per recipient, DATA (or BDAT for
 * BINARYMIME), the content, and the final reply (over LMTP one per accepted recipient), giving
 * one result per recipient.
 *
 * <p>With PIPELINING the commands up to DATA go in one write (RFC 2920), preceded by RSET on a
 * reused connection; without it they go one by one, and DATA is not sent when no recipient was
 * accepted. What the message needs is checked against the session first: SMTPUTF8, BINARYMIME,
 * then its content is made to fit the host ({@link ContentPreparation}, on a worker: 8-bit and
 * long lines converted) and its size checked against SIZE; a message that does not fit is a
 * permanent failure with a clear reason and nothing is sent. DSN parameters (RET, ENVID, NOTIFY,
 * ORCPT) are passed on when the host offers DSN.
 *
 * <p>Which answers are final (RFC 5321 section 5.1: try the next host only while no host has
 * answered for a recipient): a refused MAIL with 4xx, or a connection lost before the recipients
 * were answered, leaves the unanswered recipients for the next host; everything else is final for
 * this job. A connection lost after the content was sent is a transient failure: the server may
 * or may not have taken the message, and the retry may deliver it twice (at-least-once).
 */
final class MailTransaction {

  /**
   * What the transaction came to.
   *
   * @param results     one per recipient; null where the recipient awaits the next host
   * @param hostFailure why those recipients wait (null when none does)
   * @param stale       a reused connection turned out dead before anything happened: retry on a new one
   * @param reusable    the session may carry another message
   */
  record Outcome(List<RecipientResult> results, Failure hostFailure, boolean stale, boolean reusable) {
  }

  private final Vertx vertx;
  private final SmtpConnection c;
  private final DeliveryJob job;
  private final List<DeliveryJob.Recipient> recipients;
  private final boolean reused;
  private final OutboundOptions options;
  private final ServerExtensions ext;
  private final RecipientResult[] results;
  private final boolean bdat;
  private final JobDeadline deadline;
  private int accepted;
  private boolean endOfDataSent;
  private OutboundContent content;
  private final Resigner resigner;

  private MailTransaction(Vertx vertx, SmtpConnection c, DeliveryJob job, List<DeliveryJob.Recipient> recipients,
      boolean reused, OutboundOptions options, JobDeadline deadline, Resigner resigner) {
    this.vertx = vertx;
    this.resigner = resigner;
    this.deadline = deadline;
    this.c = c;
    this.job = job;
    this.recipients = recipients;
    this.reused = reused;
    this.options = options;
    this.ext = c.extensions();
    this.results = new RecipientResult[recipients.size()];
    this.bdat = job.parameters().body() == MailParameters.Body.BINARY_MIME;
  }

  /**
   * Runs a transaction for {@code recipients} (a subset of the job's) on a ready session. When
   * the deadline's content cut-off passes before the end of data is sent, the connection is reset
   * and the recipients still unanswered wait for the next attempt.
   *
   * @param resigner signs again a message this node signed once it is converted; or null
   */
  static Future<Outcome> run(Vertx vertx, SmtpConnection c, DeliveryJob job, List<DeliveryJob.Recipient> recipients,
      boolean reused, OutboundOptions options, JobDeadline deadline, Resigner resigner) {
    return new MailTransaction(vertx, c, job, recipients, reused, options, deadline, resigner).bounded();
  }

  private Future<Outcome> bounded() {
    if (!deadline.isSet()) {
      return run();
    }
    long timer = vertx.setTimer(Math.max(1, deadline.contentBy() - System.currentTimeMillis()), id -> {
      if (!endOfDataSent) {
        c.abort(JobDeadline.expired().status(), "delivery job reached its deadline before the end of data was sent to "
            + c.target());
      }
    });
    return run().andThen(ar -> vertx.cancelTimer(timer));
  }

  private Future<Outcome> run() {
    Failure unfit = unfit();
    if (unfit != null) {
      return Future.succeededFuture(allFinal(unfit, true));
    }
    if (deadline.contentTimeUp()) {
      return Future.succeededFuture(new Outcome(Arrays.asList(results), JobDeadline.expired(), false, c.isOpen()));
    }
    boolean sevenBit = !bdat && !ext.eightBitMime();
    boolean asciiHeadersOnly = job.parameters().smtpUtf8() && !ext.smtpUtf8();
    String target = c.target().toString();
    return vertx.executeBlocking(() -> ContentPreparation.prepare(job.content(), job.queueId(), target, sevenBit,
        asciiHeadersOnly, !bdat, resigner), false).transform(ar -> {
          if (ar.failed()) {
            return Future.succeededFuture(allFinal(Failure.temporary("4.3.0", "cannot read message content: "
                + ar.cause().getMessage()), true));
          }
          content = ar.result();
          Failure unfitContent = content.unfit() != null ? content.unfit() : tooLarge();
          if (unfitContent != null) {
            return Future.succeededFuture(allFinal(unfitContent, true));
          }
          return transaction();
        }).andThen(ar -> {
          if (content != null && content.temp() != null) {
            vertx.fileSystem().delete(content.temp().toString());
          }
        });
  }

  private Future<Outcome> transaction() {
    c.transactionStarted();
    List<String> commands = new ArrayList<>();
    if (reused) {
      commands.add("RSET");
    }
    commands.add(mailCommand());
    recipients.forEach(r -> commands.add(rcptCommand(r)));
    if (!bdat) {
      commands.add("DATA");
    }
    Duration timeout = options.getCommandTimeout();
    IntFunction<Future<SmtpReply>> reply;
    if (ext.pipelining()) {
      List<Future<SmtpReply>> replies = c.pipeline(commands, timeout);
      reply = replies::get;
    } else {
      reply = i -> c.command(commands.get(i), timeout);
    }
    int first = reused ? 1 : 0;
    Future<Void> reset = reused ? reply.apply(0).compose(r -> r.code() == 250 ? Future.succeededFuture()
        : Future.failedFuture(new ConnectionException("4.4.2", "RSET refused by " + c.target())))
        : Future.succeededFuture();
    return reset
        .transform(ar -> ar.failed() ? Future.succeededFuture(stale()) : mail(reply, first))
        .recover(e -> {
          // a failure none of the steps turned into results: the session is gone
          c.close();
          return Future.succeededFuture(connectionLost(HostException.failureOf(e)));
        });
  }

  private Future<Outcome> mail(IntFunction<Future<SmtpReply>> reply, int index) {
    return reply.apply(index).compose(mail -> {
      if (mail.code() != 250) {
        // in a pipeline the RCPTs and DATA are already on their way: drop the session rather
        // than reading their replies for nothing
        c.quit();
        Failure f = Failure.of(mail);
        return Future.succeededFuture(f.permanent() ? allFinal(f, false) : new Outcome(Arrays.asList(results), f, false, false));
      }
      return recipients(reply, index + 1, 0);
    }, e -> Future.succeededFuture(reused ? stale() : connectionLost(HostException.failureOf(e))));
  }

  private Future<Outcome> recipients(IntFunction<Future<SmtpReply>> reply, int index, int n) {
    if (n == recipients.size()) {
      return data(reply, index);
    }
    return reply.apply(index).compose(rcpt -> {
      if (Failure.isSuccess(rcpt)) {
        accepted++;
      } else {
        results[n] = Failure.of(rcpt).toResult(recipients.get(n).address(), c.target());
      }
      return recipients(reply, index + 1, n + 1);
    }, e -> Future.succeededFuture(connectionLost(HostException.failureOf(e))));
  }

  private Future<Outcome> data(IntFunction<Future<SmtpReply>> reply, int index) {
    if (bdat) {
      if (accepted == 0) {
        return Future.succeededFuture(finished(true));
      }
      // the reply's clock starts once the content is written, as for DATA: a large message on a
      // slow link must not time out while it is still being sent
      c.writeLine("BDAT " + content.length() + " LAST");
      return content(false).compose(v -> afterContent("BDAT"), this::failedDuringContent);
    }
    if (accepted == 0 && !ext.pipelining()) {
      return Future.succeededFuture(finished(true));
    }
    return reply.apply(index).compose(data -> {
      if (data.code() != 354) {
        Failure f = Failure.of(data);
        forAccepted(r -> f.toResult(r, c.target()));
        return Future.succeededFuture(finished(true));
      }
      if (accepted == 0) {
        // the server took DATA although it refused every recipient: nothing to send, and no way to
        // end the data without sending an empty message, so hang up
        c.close();
        return Future.succeededFuture(finished(false));
      }
      return content(true).compose(v -> afterContent("end of data"), this::failedDuringContent);
    }, e -> Future.succeededFuture(connectionLost(HostException.failureOf(e))));
  }

  private Future<Void> content(boolean dotStuff) {
    return ContentSender.send(vertx, c, content, dotStuff, options.getDataTimeout(), deadline)
        .onSuccess(v -> endOfDataSent = true);
  }

  /**
   * The replies after the content: one for the message (SMTP), or one per accepted recipient, in
   * the order of the RCPTs (LMTP, RFC 2033 section 4.2). A connection lost in between leaves the
   * recipients answered so far with their answer and the others waiting.
   */
  private Future<Outcome> afterContent(String command) {
    if (job.lmtp() == null) {
      return c.next(deadline.replyWait(options.getDataTimeout()), command).compose(reply -> {
        forAccepted(r -> resultOf(reply, r));
        return Future.succeededFuture(finished(true));
      }, this::failedDuringContent);
    }
    int next = 0;
    while (next < results.length && results[next] != null) {
      next++;
    }
    if (next == results.length) {
      return Future.succeededFuture(finished(true));
    }
    int n = next;
    return c.next(deadline.replyWait(options.getDataTimeout()), command).compose(reply -> {
      results[n] = resultOf(reply, recipients.get(n).address());
      return afterContent(command);
    }, this::failedDuringContent);
  }

  private RecipientResult resultOf(SmtpReply reply, MailAddress recipient) {
    if (Failure.isSuccess(reply)) {
      // LMTP's server is the mailbox: delivered. A host that offers DSN was given the recipients'
      // NOTIFY: a success report is its to send
      RecipientResult.Success success = job.lmtp() != null ? RecipientResult.Success.DELIVERED
          : ext.dsn() ? RecipientResult.Success.PASSED_ON : RecipientResult.Success.RELAYED;
      return new RecipientResult(recipient, RecipientResult.Outcome.DELIVERED, reply.code(), Failure.status(reply),
          Failure.text(reply), true, c.target().host(), c.target().address(), c.target().port(), 0, 0, success);
    }
    Failure f = Failure.of(reply);
    Failure told = content.eightBitAsIs() ? new Failure(f.permanent(), f.code(), f.status(), f.text()
        + " (the message has 8-bit content and " + c.target() + " does not offer 8BITMIME; it was not converted to"
        + " 7 bits because that would break its DKIM signature)", f.remote()) : f;
    return told.toResult(recipient, c.target());
  }

  /** The content could not be sent whole, or its reply never came: the accepted recipients wait. */
  private Future<Outcome> failedDuringContent(Throwable e) {
    c.close();
    Failure f = HostException.failureOf(e);
    forAccepted(r -> f.toResult(r, c.target()));
    return Future.succeededFuture(finished(false));
  }

  /** Why the message, as it will be sent, is too large for this host, or null. */
  private Failure tooLarge() {
    long max = ext.maxSize();
    long size = content.length();
    if (max > 0 && size > max) {
      return Failure.permanent(552, "5.3.4", "message size " + size + " exceeds size limit " + max + " of host "
          + c.target());
    }
    return null;
  }

  /** Why the message cannot go to this host at all whatever its content, or null. */
  private Failure unfit() {
    if (needsSmtpUtf8() && !ext.smtpUtf8()) {
      return Failure.permanent(553, "5.6.7", "SMTPUTF8 is required, but was not offered by host " + c.target());
    }
    if (bdat && !ext.binaryMime()) {
      return Failure.permanent(554, "5.6.3", "message is BINARYMIME, but host " + c.target()
          + " does not offer CHUNKING and BINARYMIME");
    }
    return null;
  }

  /** Internationalized addresses can only travel with SMTPUTF8 (RFC 6531). */
  private boolean needsSmtpUtf8() {
    return job.sender().isInternationalized() || recipients.stream().anyMatch(r -> r.address().isInternationalized());
  }

  private String mailCommand() {
    MailParameters p = job.parameters();
    StringBuilder sb = new StringBuilder("MAIL FROM:").append(job.sender().path());
    if (ext.has("SIZE")) {
      sb.append(" SIZE=").append(content.length());
    }
    if (bdat) {
      sb.append(" BODY=BINARYMIME");
    } else if (p.body() == MailParameters.Body.EIGHT_BIT_MIME && ext.eightBitMime()) {
      sb.append(" BODY=8BITMIME");
    }
    if ((p.smtpUtf8() || needsSmtpUtf8()) && ext.smtpUtf8()) {
      sb.append(" SMTPUTF8");
    }
    if (p.requireTls() && ext.has("REQUIRETLS")) {
      // the courier has checked that the session meets it (RequireTls)
      sb.append(" REQUIRETLS");
    }
    if (ext.dsn()) {
      if (p.ret() != null) {
        sb.append(" RET=").append(p.ret().name());
      }
      if (p.envId() != null) {
        sb.append(" ENVID=").append(XText.encode(p.envId()));
      }
    }
    return sb.toString();
  }

  private String rcptCommand(DeliveryJob.Recipient r) {
    StringBuilder sb = new StringBuilder("RCPT TO:").append(r.address().path());
    RcptParameters p = r.parameters();
    if (ext.dsn()) {
      if (!p.notifications().isEmpty()) {
        sb.append(" NOTIFY=").append(p.notifications().stream().sorted().map(Enum::name)
            .collect(Collectors.joining(",")));
      }
      if (p.orcpt() != null) {
        int semicolon = p.orcpt().indexOf(';');
        sb.append(" ORCPT=").append(p.orcpt(), 0, semicolon + 1).append(XText.encode(p.orcpt().substring(semicolon + 1)));
      }
    }
    return sb.toString();
  }

  private void forAccepted(Function<MailAddress, RecipientResult> result) {
    for (int i = 0; i < results.length; i++) {
      if (results[i] == null) {
        results[i] = result.apply(recipients.get(i).address());
      }
    }
  }

  private Outcome allFinal(Failure f, boolean reusable) {
    forAccepted(r -> f.toResult(r, c.target()));
    return finished(reusable);
  }

  private Outcome finished(boolean reusable) {
    return new Outcome(Arrays.asList(results), null, false, reusable && c.isOpen());
  }

  private Outcome stale() {
    c.close();
    return new Outcome(Arrays.asList(new RecipientResult[results.length]), null, true, false);
  }

  /**
   * The session died before the content: recipients the server refused for good keep that
   * answer; the others (accepted, deferred or unanswered) are for the next host.
   */
  private Outcome connectionLost(Failure f) {
    c.close();
    for (int i = 0; i < results.length; i++) {
      if (results[i] != null && results[i].outcome() != RecipientResult.Outcome.PERMANENT) {
        results[i] = null;
      }
    }
    return new Outcome(Arrays.asList(results), f, false, false);
  }
}
