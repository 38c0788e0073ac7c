package io.postino.smtp;

import java.util.List;

/**
 * The catalogue of replies the server sends, so that the same mistake always gets the same code.
 * Replies that name an address or a number are built by the factory methods here, never inline.
 */
public final class Replies {

  private Replies() {
  }

  private static EnhancedStatus es(int k, int s, int d) {
    return new EnhancedStatus(k, s, d);
  }

  // 2xx
  public static final SmtpReply SENDER_OK = SmtpReply.of(250, es(2, 1, 0), "Ok");
  public static final SmtpReply RECIPIENT_OK = SmtpReply.of(250, es(2, 1, 5), "Ok");
  public static final SmtpReply RESET_OK = SmtpReply.of(250, es(2, 0, 0), "Ok");
  public static final SmtpReply NOOP_OK = SmtpReply.of(250, es(2, 0, 0), "Ok");
  public static final SmtpReply VRFY_CANNOT = SmtpReply.of(252, es(2, 0, 0),
      "Cannot VRFY user, but will accept message and attempt delivery");
  public static final SmtpReply BYE = SmtpReply.of(221, es(2, 0, 0), "Bye");
  public static final SmtpReply HELP = SmtpReply.of(214, es(2, 0, 0),
      "See RFC 5321 (https://www.rfc-editor.org/rfc/rfc5321)");
  public static final SmtpReply READY_FOR_TLS = SmtpReply.of(220, es(2, 0, 0), "Ready to start TLS");
  public static final SmtpReply AUTH_OK = SmtpReply.of(235, es(2, 7, 0), "Authentication successful");

  // 3xx
  public static final SmtpReply START_DATA = SmtpReply.of(354, "End data with <CR><LF>.<CR><LF>");

  // 4xx
  public static final SmtpReply TOO_MANY_RECIPIENTS = SmtpReply.of(452, es(4, 5, 3), "Error: too many recipients");
  public static final SmtpReply TOO_MANY_CONNECTIONS = SmtpReply.of(421, es(4, 7, 0),
      "Error: too many connections, try again later");
  public static final SmtpReply TOO_MANY_CONNECTIONS_FROM_YOU = SmtpReply.of(421, es(4, 7, 0),
      "Error: too many connections from your address, try again later");
  /** The server is stopping (RFC 5321 section 3.8): the client tries again later, elsewhere or here. */
  public static final SmtpReply SHUTTING_DOWN = SmtpReply.of(421, es(4, 3, 2), "Service shutting down");
  public static final SmtpReply TOO_MANY_ERRORS = SmtpReply.of(421, es(4, 7, 0), "Error: too many errors");
  public static final SmtpReply IDLE_TIMEOUT = SmtpReply.of(421, es(4, 4, 2), "Error: timeout exceeded");
  public static final SmtpReply DEADLINE_EXCEEDED = SmtpReply.of(421, es(4, 4, 2),
      "Error: time limit for this command exceeded");
  public static final SmtpReply DATA_TOO_SLOW = SmtpReply.of(421, es(4, 4, 2),
      "Error: message content arriving too slowly");
  public static final SmtpReply CLIENT_SPOOL_FULL = SmtpReply.of(452, es(4, 3, 1),
      "Error: insufficient system storage for your unfinished messages, try again later");
  public static final SmtpReply LOCAL_ERROR = SmtpReply.of(451, es(4, 3, 0),
      "Error: local error in processing, try again later");
  /** The spool's file system is full (Postfix says the same): the client keeps the message. */
  public static final SmtpReply INSUFFICIENT_STORAGE = SmtpReply.of(452, es(4, 3, 1),
      "Error: insufficient system storage, try again later");
  public static final SmtpReply TOO_MANY_AUTH_FAILURES = SmtpReply.of(421, es(4, 7, 0),
      "Error: too many failed authentication attempts");
  public static final SmtpReply AUTH_TEMPORARY_FAILURE = SmtpReply.of(454, es(4, 7, 0),
      "Temporary authentication failure");
  public static final SmtpReply TLS_NOT_AVAILABLE = SmtpReply.of(454, es(4, 7, 0), "TLS not available due to local problem");

  // 5xx: syntax and sequence
  public static final SmtpReply UNRECOGNIZED = SmtpReply.of(500, es(5, 5, 2), "Error: command not recognized");
  public static final SmtpReply LINE_TOO_LONG = SmtpReply.of(500, es(5, 5, 2), "Error: line too long");
  public static final SmtpReply BAD_CHARACTER = SmtpReply.of(500, es(5, 5, 2),
      "Error: CR, LF or NUL inside a command line");
  public static final SmtpReply BAD_UTF8 = SmtpReply.of(500, es(5, 5, 2), "Error: command is not valid UTF-8");
  public static final SmtpReply SYNTAX = SmtpReply.of(501, es(5, 5, 4), "Syntax error in parameters or arguments");
  public static final SmtpReply HELO_SYNTAX = SmtpReply.of(501, es(5, 5, 4), "Syntax: HELO hostname");
  public static final SmtpReply EHLO_SYNTAX = SmtpReply.of(501, es(5, 5, 4), "Syntax: EHLO hostname");
  public static final SmtpReply MAIL_SYNTAX = SmtpReply.of(501, es(5, 5, 4), "Syntax: MAIL FROM:<address>");
  public static final SmtpReply RCPT_SYNTAX = SmtpReply.of(501, es(5, 5, 4), "Syntax: RCPT TO:<address>");
  public static final SmtpReply BDAT_SYNTAX = SmtpReply.of(501, es(5, 5, 4), "Syntax: BDAT size [LAST]");
  public static final SmtpReply NO_ARGUMENTS = SmtpReply.of(501, es(5, 5, 4), "Syntax error: no arguments allowed");
  public static final SmtpReply BAD_SENDER_SYNTAX = SmtpReply.of(501, es(5, 1, 7), "Bad sender address syntax");
  public static final SmtpReply BAD_RECIPIENT_SYNTAX = SmtpReply.of(501, es(5, 1, 3), "Bad recipient address syntax");
  public static final SmtpReply BAD_BASE64 = SmtpReply.of(501, es(5, 5, 2), "Error: invalid base64 data");
  public static final SmtpReply AUTH_CANCELLED = SmtpReply.of(501, es(5, 7, 0), "Authentication cancelled");
  public static final SmtpReply NOT_IMPLEMENTED = SmtpReply.of(502, es(5, 5, 1), "Error: command not implemented");
  public static final SmtpReply EXPN_DISABLED = SmtpReply.of(502, es(5, 5, 1), "Error: EXPN command is disabled");
  public static final SmtpReply NEED_HELO = SmtpReply.of(503, es(5, 5, 1), "Error: send HELO/EHLO first");
  public static final SmtpReply NESTED_MAIL = SmtpReply.of(503, es(5, 5, 1), "Error: nested MAIL command");
  public static final SmtpReply NEED_MAIL = SmtpReply.of(503, es(5, 5, 1), "Error: need MAIL command");
  public static final SmtpReply NEED_RCPT = SmtpReply.of(503, es(5, 5, 1), "Error: need RCPT command");
  public static final SmtpReply RCPT_AFTER_BDAT = SmtpReply.of(503, es(5, 5, 1),
      "Error: RCPT cannot follow BDAT in one transaction");
  public static final SmtpReply DATA_AFTER_BDAT = SmtpReply.of(503, es(5, 5, 1),
      "Error: DATA cannot follow BDAT in one transaction");
  public static final SmtpReply AUTH_NOT_ENABLED = SmtpReply.of(503, es(5, 5, 1), "Error: authentication not enabled");
  public static final SmtpReply ALREADY_AUTHENTICATED = SmtpReply.of(503, es(5, 5, 1), "Error: already authenticated");
  public static final SmtpReply AUTH_IN_TRANSACTION = SmtpReply.of(503, es(5, 5, 1),
      "Error: MAIL transaction in progress");
  public static final SmtpReply TLS_ALREADY_ACTIVE = SmtpReply.of(503, es(5, 5, 1), "Error: TLS already active");
  public static final SmtpReply UNKNOWN_MECHANISM = SmtpReply.of(504, es(5, 5, 4),
      "Error: unrecognized authentication type");
  public static final SmtpReply EARLY_TALKER = SmtpReply.of(554, es(5, 5, 1),
      "Error: SMTP protocol synchronization: client talked before the greeting");
  public static final SmtpReply UNSUPPORTED_PARAMETER = SmtpReply.of(555, es(5, 5, 4),
      "Error: unsupported or unrecognized parameter");

  // 5xx: policy and content
  // 5xx: policy and content
  /** In place of the greeting (RFC 5321 section 3.1): a PROXY protocol header from a peer not trusted to send one. */
  public static final SmtpReply UNTRUSTED_PROXY = SmtpReply.of(554, es(5, 7, 1),
      "Error: PROXY protocol header not accepted from your address");
  public static final SmtpReply AUTH_REQUIRED = SmtpReply.of(530, es(5, 7, 0), "Error: authentication required");
  public static final SmtpReply AUTH_FAILED = SmtpReply.of(535, es(5, 7, 8),
      "Error: authentication failed");
  public static final SmtpReply ENCRYPTION_REQUIRED = SmtpReply.of(538, es(5, 7, 11),
      "Error: encryption required for requested authentication mechanism");
  public static final SmtpReply MESSAGE_TOO_BIG = SmtpReply.of(552, es(5, 3, 4),
      "Error: message size exceeds fixed maximum message size");
  public static final SmtpReply BARE_LINE_ENDING = SmtpReply.of(550, es(5, 6, 0),
      "Error: message refused: bare CR or LF in content (lines must end with CRLF)");
  public static final SmtpReply NUL_IN_CONTENT = SmtpReply.of(550, es(5, 6, 0),
      "Error: message refused: NUL character in content");
  public static final SmtpReply CONTENT_LINE_TOO_LONG = SmtpReply.of(550, es(5, 6, 0),
      "Error: message refused: text line too long");
  public static final SmtpReply BAD_MAILBOX_CHARACTER = SmtpReply.of(553, es(5, 1, 3),
      "Error: recipient address rejected: control or bidirectional formatting character in the mailbox name");
  public static final SmtpReply NEEDS_SMTPUTF8 = SmtpReply.of(553, es(5, 6, 7),
      "Error: non-ASCII address needs the SMTPUTF8 parameter on MAIL");
  /**
   * MAIL FROM ... REQUIRETLS over plaintext: RFC 8689 section 2 allows the parameter only in a TLS
   * session (where it is offered); 530 as RFC 3207's "must issue STARTTLS first", 5.7.10
   * "encryption needed" as RFC 8689 section 4.2.1 reports a hop without TLS.
   */
  public static final SmtpReply REQUIRETLS_NEEDS_TLS = SmtpReply.of(530, es(5, 7, 10),
      "Error: REQUIRETLS needs a TLS session: issue STARTTLS first");

  public static SmtpReply greeting(String hostname) {
    return SmtpReply.of(220, hostname + " ESMTP Postino");
  }

  public static SmtpReply helo(String hostname) {
    return SmtpReply.of(250, hostname);
  }

  /** The EHLO reply: the host name, then one line per extension keyword. */
  public static SmtpReply ehlo(String hostname, List<String> extensions) {
    var lines = new java.util.ArrayList<String>(extensions.size() + 1);
    lines.add(hostname);
    lines.addAll(extensions);
    return new SmtpReply(250, null, lines);
  }

  /** The content is refused by its author domain's policy (DMARC); the reason names the policy domain. */
  public static SmtpReply senderAuthenticationFailed(String reason) {
    return SmtpReply.of(550, EnhancedStatus.of(5, 7, 1), reason);
  }

  public static SmtpReply queued(String queueId) {
    return SmtpReply.of(250, es(2, 0, 0), "Ok: queued as " + queueId);
  }

  public static SmtpReply bdatChunkOk(long octets) {
    return SmtpReply.of(250, es(2, 0, 0), "Ok: " + octets + " octets received");
  }

  public static SmtpReply relayDenied(MailAddress recipient) {
    return SmtpReply.of(554, es(5, 7, 1), recipient.path() + ": Relay access denied");
  }

  public static SmtpReply unknownUser(MailAddress recipient) {
    return SmtpReply.of(550, es(5, 1, 1), recipient.path() + ": Recipient address rejected: User unknown");
  }

  /** An alias that leads back to itself, or nests too deep (RFC 3463 X.4.6, routing loop detected). */
  public static SmtpReply aliasLoop(MailAddress recipient) {
    return SmtpReply.of(550, es(5, 4, 6), recipient.path() + ": Recipient address rejected: alias loop");
  }

  /** An alias that expands to more addresses than the limit. */
  public static SmtpReply aliasTooMany(MailAddress recipient) {
    return SmtpReply.of(550, es(5, 5, 3), recipient.path() + ": Recipient address rejected: alias expands to too many addresses");
  }

  /**
   * An SRS address this server did not make, or made too long ago: to the sender it is a mailbox that
   * does not exist (X.1.1) rather than a policy it could satisfy (X.7.1).
   */
  public static SmtpReply badSrs(MailAddress recipient, String why) {
    return SmtpReply.of(550, es(5, 1, 1), recipient.path() + ": Recipient address rejected: " + why);
  }

  /** A SASL challenge (RFC 4954): {@code 334} and the base64 text, which may be empty. */
  public static SmtpReply challenge(String base64) {
    return SmtpReply.of(334, base64);
  }

  public static SmtpReply senderNotOwned(MailAddress sender, String user) {
    return SmtpReply.of(553, es(5, 7, 1), sender.path() + ": Sender address rejected: not owned by user " + user);
  }

  public static SmtpReply sizeDeclaredTooBig(long max) {
    return SmtpReply.of(552, es(5, 3, 4), "Error: message size exceeds fixed limit of " + max + " octets");
  }
}
