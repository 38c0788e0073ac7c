package io.postino.server.session;

import io.postino.metrics.Refusal;
import io.postino.server.auth.Authenticator;
import io.postino.smtp.Replies;
import io.postino.smtp.SaslExchange;
import io.postino.smtp.SmtpCommand;
import io.postino.smtp.SmtpReply;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AUTH (RFC 4954): the SASL exchange with its challenges and responses, the password check, and
 * the limits on failures, per session and per client address. The {@link CommandTable} has checked
 * that AUTH is configured, follows HELO/EHLO and has TLS where required.
 *
 * <p>SECURITY: AUTH is offered only over TLS unless configured otherwise; passwords are checked off
 * the event loop while the session waits, and failures are limited per session and per client
 * address (counted before the check, so parallel sessions cannot outrun the limit). The name a
 * client tried is never logged.
 */
final class AuthDialogue {

  private static final Logger log = LoggerFactory.getLogger(SmtpSession.class);
  /** RFC 4954 section 4: the client's responses to AUTH challenges may be this long, CRLF included. */
  static final int MAX_AUTH_LINE = 12288;

  private final SmtpSession session;
  private final Authenticator auth;
  private final Client client;
  private final LineReader lines;
  private final Input input;
  private SaslExchange sasl;
  private String mechanism;
  private int failures;

  /** @param auth AUTH as configured, or null when it is off */
  AuthDialogue(SmtpSession session, Authenticator auth, Client client, LineReader lines, Input input) {
    this.session = session;
    this.auth = auth;
    this.client = client;
    this.lines = lines;
    this.input = input;
  }

  /** Whether EHLO offers AUTH now. */
  boolean offered() {
    return auth != null && (client.tls() != null || auth.options().isAllowPlaintext());
  }

  void start(SmtpCommand.Auth command) {
    if (client.user() != null) {
      session.replyError(Replies.ALREADY_AUTHENTICATED);
      return;
    }
    if (session.transaction() != null) {
      session.replyError(Replies.AUTH_IN_TRANSACTION);
      return;
    }
    if (auth.isBlocked(client.ip())) {
      tooManyFromClient();
      return;
    }
    mechanism = command.mechanism();
    sasl = SaslExchange.create(mechanism);
    if (sasl == null) {
      session.replyError(Replies.UNKNOWN_MECHANISM);
      return;
    }
    step(sasl.start(command.initialResponse()));
  }

  /** In phase AUTH_RESPONSE: a line answering a 334 challenge, up to {@link #MAX_AUTH_LINE} octets, not a command. */
  boolean readResponse() {
    int length = lines.next(MAX_AUTH_LINE);
    if (length == LineReader.INCOMPLETE) {
      return false;
    }
    if (length < 0) {
      // no proper line: the exchange ends; the rest of an over-long one is discarded, then refused
      sasl = null;
      session.commandsAgain();
      SmtpReply refusal = LineReader.refusal(length);
      if (refusal == null) {
        return false;
      }
      session.replyError(refusal);
      return true;
    }
    // ISO-8859-1 keeps every byte one character: anything but base64 is then refused as such
    step(sasl.respond(new String(input.bytes(), lines.start(), length, StandardCharsets.ISO_8859_1)));
    return true;
  }

  private void step(SaslExchange.Step step) {
    if (step instanceof SaslExchange.Challenge challenge) {
      session.reply(Replies.challenge(challenge.base64()));
      session.enter(Phase.AUTH_RESPONSE);
      return;
    }
    sasl = null;
    session.commandsAgain();
    if (step instanceof SaslExchange.Refused refused) {
      if (refused.failedAttempt()) {
        failed(auth.recordFailure(client.ip()));
      } else {
        session.replyError(refused.reply());
      }
      return;
    }
    SaslExchange.Credentials credentials = (SaslExchange.Credentials) step;
    // SECURITY: the failure is counted before the check and given back if it succeeds, so that
    // parallel sessions from one address cannot all get a check in before the block applies
    if (!auth.reserveFailure(client.ip())) {
      tooManyFromClient();
      return;
    }
    session.suspendUntil(auth.verify(credentials.user(), credentials.password()).andThen(ar -> {
      // settled whether or not the client is still connected
      if (ar.failed() || ar.result()) {
        auth.releaseFailure(client.ip());
      }
    }), ar -> {
      if (ar.failed()) {
        log.error("{}: cannot check credentials", client.name(), ar.cause());
        session.reply(Replies.AUTH_TEMPORARY_FAILURE);
      } else if (ar.result()) {
        client.authenticated(credentials.user());
        session.meters().auth(true);
        log.info("{}: sasl_method={}, sasl_username={}", client.name(), mechanism, credentials.user());
        session.reply(Replies.AUTH_OK);
      } else {
        failed(auth.isBlocked(client.ip()));
      }
    });
  }

  private void tooManyFromClient() {
    session.meters().refused(Refusal.AUTH);
    session.reply(Replies.TOO_MANY_AUTH_FAILURES);
    session.close();
  }

  /** @param clientBlocked the failure, already counted for the address, used up its allowance */
  private void failed(boolean clientBlocked) {
    failures++;
    session.meters().auth(false);
    // logged by the session's log as a refusal of AUTH; the attempted name is not: it is the
    // client's text, and may be a password typed in the wrong box
    session.reply(Replies.AUTH_FAILED);
    if (clientBlocked || failures >= auth.options().getMaxFailuresPerSession()) {
      session.reply(Replies.TOO_MANY_AUTH_FAILURES);
      session.close();
    }
  }
}
