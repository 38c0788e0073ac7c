package io.postino.server.session;

import io.postino.server.ServerContext;
import io.postino.smtp.Replies;
import io.postino.smtp.SmtpReply;
import io.postino.smtp.Verb;
import java.util.EnumSet;
import java.util.Set;

/**
 * The command table, as in Postfix's smtpd: for each verb what must hold before its handler runs,
 * and for the verbs without a handler their fixed answer. The session checks a rule in the order of
 * its fields; a failed check is answered with its reply, which counts against the error budget.
 * Checks that depend on the transaction or the command's arguments stay with the handlers.
 */
final class CommandTable {

  /** Something the server must be configured with for the verb to exist at all. */
  enum Feature {
    NONE, TLS, AUTH
  }

  /**
   * @param feature   configured or not: 502 5.5.1 without TLS, 503 5.5.1 without AUTH
   * @param phases    where the verb may come; elsewhere (before HELO/EHLO) 503 5.5.1
   * @param needsTls  only over TLS unless AUTH is configured to allow plaintext: 538 5.7.11
   * @param needsAuth only when authenticated, on listeners that require it: 530 5.7.0
   * @param answer    the whole of the verb's handling, or null when it has a handler
   * @param answerCountsAsError whether {@code answer} counts against the error budget
   */
  record Rule(Feature feature, Set<Phase> phases, boolean needsTls, boolean needsAuth, SmtpReply answer,
      boolean answerCountsAsError) {
  }

  private static final Set<Phase> ANY = EnumSet.of(Phase.GREETED, Phase.READY);
  private static final Set<Phase> AFTER_HELO = EnumSet.of(Phase.READY);

  private static final Rule[] RULES = new Rule[Verb.values().length];

  static {
    for (Verb verb : Verb.values()) {
      RULES[verb.ordinal()] = switch (verb) {
        case HELO, EHLO, RCPT, DATA, BDAT, RSET, QUIT -> handled(ANY);
        case MAIL -> new Rule(Feature.NONE, AFTER_HELO, false, true, null, false);
        case STARTTLS -> new Rule(Feature.TLS, ANY, false, false, null, false);
        case AUTH -> new Rule(Feature.AUTH, AFTER_HELO, true, false, null, false);
        case NOOP -> answered(Replies.NOOP_OK, false);
        case VRFY -> answered(Replies.VRFY_CANNOT, false);
        case EXPN -> answered(Replies.EXPN_DISABLED, true);
        case HELP -> answered(Replies.HELP, false);
      };
    }
  }

  private CommandTable() {
  }

  static Rule rule(Verb verb) {
    return RULES[verb.ordinal()];
  }

  /** Why the rule does not let its command run now, or null. */
  static SmtpReply refusal(Rule rule, Phase phase, ServerContext ctx, Client client) {
    if (rule.feature() == Feature.TLS && ctx.tls() == null) {
      return Replies.NOT_IMPLEMENTED;
    }
    if (rule.feature() == Feature.AUTH && ctx.auth() == null) {
      return Replies.AUTH_NOT_ENABLED;
    }
    if (!rule.phases().contains(phase)) {
      return Replies.NEED_HELO;
    }
    if (rule.needsTls() && client.tls() == null && !ctx.auth().options().isAllowPlaintext()) {
      return Replies.ENCRYPTION_REQUIRED;
    }
    if (rule.needsAuth() && client.user() == null && ctx.listener().requireAuth()) {
      return Replies.AUTH_REQUIRED;
    }
    return null;
  }

  private static Rule handled(Set<Phase> phases) {
    return new Rule(Feature.NONE, phases, false, false, null, false);
  }

  private static Rule answered(SmtpReply answer, boolean countsAsError) {
    return new Rule(Feature.NONE, ANY, false, false, answer, countsAsError);
  }
}
