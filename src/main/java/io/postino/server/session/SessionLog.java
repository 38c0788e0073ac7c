package io.postino.server.session;

import io.postino.smtp.SmtpCommand;
import io.postino.smtp.SmtpReply;
import io.postino.smtp.Verb;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's log lines, in the forms of Postfix's smtpd so that the habits (and the greps) of its
 * operators work: {@code connect from}, every refusal as {@code NOQUEUE: reject: RCPT from ...: 554
 * 5.7.1 <x@y>: Relay access denied; from=<s> to=<r> proto=ESMTP helo=<h>} (the queue id instead of
 * NOQUEUE once the message has one), {@code too many errors after}, {@code timeout after},
 * {@code lost connection after}, and {@code disconnect from} with the count of each command (as
 * {@code rcpt=1/2} when some of them were refused) and the TLS protocol and user at that moment.
 *
 * <p>It follows the replies rather than the code that refuses: whatever answers a command with a 4xx
 * or 5xx is logged here, so no refusal goes unlogged. The command a reply answers is the one
 * {@link #command} named last; 334 (AUTH challenge) and 354 (go ahead with the content) are not
 * final answers.
 *
 * <p>SECURITY: the arguments of AUTH (the initial response) and the client's answers to challenges
 * are never logged; neither is the name a failed login tried. What the client said in MAIL, RCPT
 * and HELO is logged as it is: the line reader ends lines only at CRLF, so none holds a line break.
 */
final class SessionLog {

  /** Under the session's name, like every part of it. */
  private static final Logger log = LoggerFactory.getLogger(SmtpSession.class);
  /** The stage before any command, and of replies to the connection itself (the early talker). */
  private static final String CONNECT = "CONNECT";
  /** The stage between 354 and the reply to the content, as Postfix names it. */
  private static final String END_OF_MESSAGE = "END-OF-MESSAGE";

  /** The order of the counts in the disconnect line: Postfix's. */
  private static final Verb[] ORDER = {Verb.HELO, Verb.EHLO, Verb.STARTTLS, Verb.AUTH, Verb.MAIL, Verb.RCPT, Verb.DATA,
      Verb.BDAT, Verb.RSET, Verb.NOOP, Verb.VRFY, Verb.EXPN, Verb.HELP, Verb.QUIT};

  private final Client client;
  /** Per command: {succeeded, tried}; lines that are no command are counted in {@link #unknown}. */
  private final Map<Verb, int[]> counts = new EnumMap<>(Verb.class);
  private final int[] unknown = new int[2];
  /** What the next final reply answers, for the log; null between commands. */
  private String stage = CONNECT;
  /** The last stage, for "after X" lines. */
  private String last = CONNECT;
  /** The count the next final reply settles; null for none. */
  private int[] counting;
  private SmtpCommand command;
  private Transaction tx;

  SessionLog(Client client) {
    this.client = client;
  }

  void connected() {
    log.info("connect from {}", client.name());
  }

  /** A command is about to run; {@code tx} is the transaction it belongs to, null outside one. */
  void command(SmtpCommand c, Transaction tx) {
    begin(c.verb().name(), counts.computeIfAbsent(c.verb(), v -> new int[2]));
    this.command = c;
    this.tx = tx;
  }

  /**
   * A line that is no valid command: counted under its verb when the first word is one (a MAIL
   * with a bad address is a failed MAIL), else as Postfix's {@code unknown}.
   */
  void unparsable(byte[] line, int start, int length) {
    Verb verb = verbOf(line, start, length);
    begin(verb == null ? "UNKNOWN" : verb.name(), verb == null ? unknown : counts.computeIfAbsent(verb, v -> new int[2]));
    this.command = null;
    this.tx = null;
  }

  private void begin(String name, int[] count) {
    stage = name;
    last = name;
    counting = count;
    count[1]++;
  }

  /** A reply goes out: a final one settles its command's count, and a refusal is logged. */
  void replied(SmtpReply reply) {
    if (stage == null || reply.code() == 334) {
      return;
    }
    if (reply.code() == 354) {
      stage = END_OF_MESSAGE;
      last = END_OF_MESSAGE;
      return;
    }
    if (reply.code() >= 400) {
      reject(reply);
    } else if (counting != null) {
      counting[0]++;
    }
    stage = null;
    counting = null;
  }

  private void reject(SmtpReply reply) {
    StringBuilder sb = new StringBuilder(160);
    String queueId = tx == null ? null : tx.queueId;
    sb.append(queueId == null ? "NOQUEUE" : queueId).append(": reject: ").append(stage).append(" from ")
        .append(client.name()).append(": ").append(text(reply)).append(';');
    String sender = command instanceof SmtpCommand.Mail m ? m.sender().path() : tx != null ? tx.sender.path() : null;
    if (sender != null) {
      sb.append(" from=").append(sender);
    }
    String recipient = command instanceof SmtpCommand.Rcpt r ? r.recipient().path()
        : tx != null && !tx.recipients.isEmpty() ? tx.recipients.get(tx.recipients.size() - 1).address().path() : null;
    if (recipient != null) {
      sb.append(" to=").append(recipient);
    }
    if (command instanceof SmtpCommand.Auth auth) {
      // the mechanism only: the initial response is the secret
      sb.append(" sasl_method=").append(auth.mechanism());
    }
    sb.append(" proto=").append(client.esmtp() ? "ESMTP" : "SMTP");
    if (client.helo() != null) {
      sb.append(" helo=<").append(client.helo()).append('>');
    }
    log.info(sb.toString());
  }

  /** The error budget is spent: the session ends after the reply that spent it. */
  void tooManyErrors() {
    log.info("too many errors after {} from {}", last, client.name());
  }

  void timedOut(SmtpReply reply) {
    log.info("timeout after {} from {}: {}", last, client.name(), text(reply));
    // the command the timeout cut short did not succeed, and this is no refusal of it
    stage = null;
    counting = null;
  }

  /** A message has its queue id: the line that ties the id to this session (Postfix's smtpd line). */
  void queued(String queueId) {
    if (client.user() == null) {
      log.info("{}: client={}", queueId, client.name());
    } else {
      log.info("{}: client={}, sasl_username={}", queueId, client.name(), client.user());
    }
  }

  /** The connection is gone; {@code lost}: the client hung up without QUIT, and without being told to go. */
  void disconnected(boolean lost) {
    if (lost) {
      log.info("lost connection after {} from {}", last, client.name());
    }
    StringBuilder sb = new StringBuilder(120).append("disconnect from ").append(client.name());
    int ok = 0;
    int tried = 0;
    for (Verb verb : ORDER) {
      int[] c = counts.get(verb);
      if (c != null) {
        count(sb, verb.name().toLowerCase(Locale.ROOT), c);
        ok += c[0];
        tried += c[1];
      }
    }
    if (unknown[1] > 0) {
      count(sb, "unknown", unknown);
    }
    count(sb, "commands", new int[] {ok + unknown[0], tried + unknown[1]});
    if (client.tls() != null) {
      sb.append(" tls=").append(client.tls().getProtocol());
    }
    if (client.user() != null) {
      sb.append(" user=").append(client.user());
    }
    log.info(sb.toString());
  }

  /** {@code rcpt=2}, or {@code rcpt=1/2} when not all succeeded: Postfix's form. */
  private static void count(StringBuilder sb, String name, int[] c) {
    sb.append(' ').append(name).append('=').append(c[0]);
    if (c[0] != c[1]) {
      sb.append('/').append(c[1]);
    }
  }

  /** {@code 554 5.7.1 text}: the reply's first line as the client read it. */
  static String text(SmtpReply reply) {
    return reply.code() + (reply.status() == null ? "" : " " + reply.status()) + " " + reply.text();
  }

  /** The verb a command line starts with, if it is one. */
  private static Verb verbOf(byte[] line, int start, int length) {
    int end = start;
    while (end < start + length && end - start < 8 && line[end] != ' ' && line[end] != '\r') {
      end++;
    }
    String word = new String(line, start, end - start, StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT);
    for (Verb v : Verb.values()) {
      if (v.name().equals(word)) {
        return v;
      }
    }
    return null;
  }
}
