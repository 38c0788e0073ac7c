package io.postino.server.session;

import io.postino.server.ServerContext;
import io.postino.smtp.CommandParser;
import io.postino.smtp.Replies;
import io.postino.smtp.SmtpCommand;
import io.postino.smtp.SmtpException;
import io.postino.smtp.SmtpReply;

/**
 * A session's command lines: reads the next one from the {@link Input}, parses it, checks it
 * against the {@link CommandTable} and runs it, itself for the session's own commands (HELO, EHLO,
 * RSET, QUIT) or through the part that handles it.
 */
final class SessionCommands {

  private final SmtpSession session;
  private final ServerContext ctx;
  private final Client client;
  private final Input input;
  private final LineReader lines;
  private final SessionLog sessionLog;
  private final EnvelopeCommands envelope;
  private final ContentReception content;
  private final TlsUpgrade tls;
  private final AuthDialogue auth;

  SessionCommands(SmtpSession session, ServerContext ctx, Client client, Input input, LineReader lines,
      SessionLog sessionLog, EnvelopeCommands envelope, ContentReception content, TlsUpgrade tls, AuthDialogue auth) {
    this.session = session;
    this.ctx = ctx;
    this.client = client;
    this.input = input;
    this.lines = lines;
    this.sessionLog = sessionLog;
    this.envelope = envelope;
    this.content = content;
    this.tls = tls;
    this.auth = auth;
  }

  /** Runs the next complete command line; false when there is none yet. */
  boolean readNext() {
    int length = lines.next(ctx.options().getMaxLineLength());
    if (length < 0) {
      SmtpReply refusal = LineReader.refusal(length);
      if (refusal == null) {
        return false;
      }
      sessionLog.unparsable(input.bytes(), lines.start(), 0);
      session.replyError(refusal);
      return true;
    }
    SmtpCommand command;
    try {
      command = CommandParser.parse(input.bytes(), lines.start(), length);
    } catch (SmtpException e) {
      sessionLog.unparsable(input.bytes(), lines.start(), length);
      session.replyError(e.reply());
      return true;
    }
    execute(command);
    return true;
  }

  private void execute(SmtpCommand command) {
    sessionLog.command(command, envelope.transaction());
    CommandTable.Rule rule = CommandTable.rule(command.verb());
    SmtpReply refusal = CommandTable.refusal(rule, session.phase(), ctx, client);
    if (refusal != null) {
      session.replyError(refusal);
      return;
    }
    if (rule.answer() != null) {
      if (rule.answerCountsAsError()) {
        session.replyError(rule.answer());
      } else {
        session.reply(rule.answer());
      }
      return;
    }
    switch (command.verb()) {
      case HELO -> hello(((SmtpCommand.Helo) command).domain(), false);
      case EHLO -> hello(((SmtpCommand.Ehlo) command).domain(), true);
      case MAIL -> envelope.mail((SmtpCommand.Mail) command);
      case RCPT -> envelope.rcpt((SmtpCommand.Rcpt) command);
      case DATA -> content.data();
      case BDAT -> content.bdat((SmtpCommand.Bdat) command);
      case RSET -> {
        session.resetTransaction();
        session.reply(Replies.RESET_OK);
      }
      case QUIT -> {
        session.reply(Replies.BYE);
        session.close();
      }
      case STARTTLS -> tls.startTls();
      case AUTH -> auth.start((SmtpCommand.Auth) command);
      default -> throw new IllegalStateException(command.verb() + " has neither an answer nor a handler");
    }
  }

  private void hello(String domain, boolean extended) {
    session.resetTransaction();
    client.hello(domain, extended);
    session.enter(Phase.READY);
    if (!extended) {
      session.reply(Replies.helo(ctx.hostname()));
      return;
    }
    boolean overTls = client.tls() != null;
    session.reply(Replies.ehlo(ctx.hostname(),
        EhloKeywords.of(ctx.options(), ctx.tls() != null && !overTls, auth.offered(), overTls)));
  }
}
