package io.postino.server.session;

import io.postino.metrics.Refusal;
import io.postino.spool.Envelope;
import io.postino.server.ApplicationPolicy;
import io.postino.server.RecipientPolicy;
import io.postino.server.RecipientPolicy.Decision;
import io.postino.server.RecipientPolicy.Refuse;
import io.postino.server.ServerContext;
import io.postino.server.ServerOptions;
import io.postino.smtp.MailAddress;
import io.postino.smtp.MailParameters;
import io.postino.smtp.Replies;
import io.postino.smtp.SmtpCommand;
import io.postino.smtp.SmtpReply;
import io.postino.spf.SpfCheck;
import java.util.List;

/**
 * MAIL and RCPT: the checks that build the envelope of the current {@link Transaction}, against
 * the limits, the sender restriction of authenticated users, SPF (clients neither authenticated
 * nor trusted), the recipient policy and the application's recipient hook. Holds the current transaction; the session's phase and
 * the {@link CommandTable} have already been checked.
 */
final class EnvelopeCommands {

  private final SmtpSession session;
  private final ServerContext ctx;
  private final ServerOptions options;
  private final Client client;
  private final SpoolHold spoolHold;
  private final ContentReception content;
  private Transaction tx;

  EnvelopeCommands(SmtpSession session, ServerContext ctx, Client client, SpoolHold spoolHold,
      ContentReception content) {
    this.session = session;
    this.ctx = ctx;
    this.options = ctx.options();
    this.client = client;
    this.spoolHold = spoolHold;
    this.content = content;
  }

  /** The current transaction; null outside one. */
  Transaction transaction() {
    return tx;
  }

  void reset() {
    tx = null;
  }

  void mail(SmtpCommand.Mail mail) {
    if (tx != null) {
      session.replyError(Replies.NESTED_MAIL);
      return;
    }
    String user = client.user();
    if (user != null && ctx.auth().options().isRestrictSender() && !ctx.auth().mayUseSender(user, mail.sender())) {
      session.replyError(Replies.senderNotOwned(mail.sender(), user));
      session.meters().refused(Refusal.AUTH);
      return;
    }
    MailParameters p = mail.parameters();
    if (p.size() > options.getMaxMessageSize()) {
      session.replyError(Replies.sizeDeclaredTooBig(options.getMaxMessageSize()));
      session.meters().refused(Refusal.SIZE);
      return;
    }
    if (!ctx.intake().hasRoom(p.size())) {
      // the spool's free-space reserve, from a figure measured off the event loop: refused here,
      // before the client sends its content, rather than at the end of DATA (as Postfix's queue_minfree)
      session.reply(Replies.INSUFFICIENT_STORAGE);
      session.meters().refused(Refusal.STORAGE);
      return;
    }
    if (client.spoolBudgeted() && !spoolHold.fits(p.size())) {
      session.reply(Replies.CLIENT_SPOOL_FULL);
      session.meters().refused(Refusal.STORAGE);
      return;
    }
    if (p.body() == MailParameters.Body.BINARY_MIME) {
      // not advertised: we do not store binary content that could not be relayed with DATA
      session.replyError(Replies.UNSUPPORTED_PARAMETER);
      return;
    }
    if (mail.sender().isInternationalized() && !p.smtpUtf8()) {
      session.replyError(Replies.NEEDS_SMTPUTF8);
      return;
    }
    if (p.requireTls() && client.tls() == null) {
      session.replyError(Replies.REQUIRETLS_NEEDS_TLS);
      return;
    }
    SpfCheck spf = ctx.intake().spf();
    if (spf == null || client.mayRelay()) {
      // authenticated and trusted clients are not checked: SPF says nothing of mail they submit
      tx = new Transaction(mail.sender(), p);
      session.reply(Replies.SENDER_OK);
      return;
    }
    session.suspendUntil(spf.check(client.ip(), client.helo(), mail.sender()), ar -> {
      SpfCheck.Verdict verdict = ar.result();
      if (verdict.refusal() != null) {
        session.replyError(verdict.refusal());
        session.meters().refused(Refusal.SENDER_AUTH);
        return;
      }
      tx = new Transaction(mail.sender(), p);
      tx.results.addAll(verdict.results());
      session.reply(Replies.SENDER_OK);
    });
  }

  void rcpt(SmtpCommand.Rcpt rcpt) {
    if (tx == null) {
      session.replyError(Replies.NEED_MAIL);
      return;
    }
    if (content.isStoring()) {
      // between BDAT chunks the envelope is already in the spool file
      session.replyError(Replies.RCPT_AFTER_BDAT);
      return;
    }
    SmtpReply blocked = client.blockedByDnsLists();
    if (blocked != null) {
      // postscreen's enforce: every recipient refused, so the log has who sent to whom
      session.replyError(blocked);
      session.meters().refused(Refusal.DNSBL);
      return;
    }
    if (tx.accepted >= options.getMaxRecipients()) {
      // not the client's mistake: it sends the rest in a later transaction (RFC 5321 section
      // 4.5.3.1.8), so this does not count against its error budget, as in Postfix
      session.reply(Replies.TOO_MANY_RECIPIENTS);
      return;
    }
    MailAddress address = rcpt.recipient();
    if (address.isInternationalized() && !tx.parameters.smtpUtf8()) {
      session.replyError(Replies.NEEDS_SMTPUTF8);
      return;
    }
    Decision decision = ctx.policy().check(address, client.mayRelay());
    if (decision instanceof Refuse refuse) {
      session.replyError(refuse.reply());
      session.meters().refused(refuse.reason());
      return;
    }
    List<Envelope.Recipient> copies = ctx.policy().copies(tx.sender, address, rcpt.parameters(),
        (RecipientPolicy.Accept) decision);
    ApplicationPolicy hooks = ctx.applicationPolicy();
    if (hooks == null) {
      accept(copies);
      return;
    }
    session.suspendUntil(hooks.checkRecipient(client.policyRequest("rcpt", tx.sender, List.of(address.address()),
        null)), ar -> {
          SmtpReply refusal = ar.result();
          if (refusal != null) {
            session.replyError(refusal);
            session.meters().refused(Refusal.POLICY);
          } else {
            accept(copies);
          }
        });
  }

  private void accept(List<Envelope.Recipient> copies) {
    for (Envelope.Recipient copy : copies) {
      tx.addCopy(copy);
    }
    tx.accepted++;
    session.reply(Replies.RECIPIENT_OK);
  }
}
