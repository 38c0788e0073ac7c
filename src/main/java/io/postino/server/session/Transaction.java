package io.postino.server.session;

import io.postino.authres.AuthResult;
import io.postino.spool.Envelope;
import io.postino.smtp.MailAddress;
import io.postino.smtp.MailParameters;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One mail transaction: from MAIL to the end of its content, or RSET. A new one for every MAIL,
 * dropped by RSET, HELO/EHLO, STARTTLS and the final reply; the session outlives it.
 */
final class Transaction {

  final MailAddress sender;
  final MailParameters parameters;
  /** The copies to make: each accepted RCPT, expanded through the aliases, without duplicates. */
  final List<Envelope.Recipient> recipients = new ArrayList<>();
  /** Each copy's mailbox or address, case folded: a duplicate is found in constant time, not by a scan. */
  private final Set<String> copyKeys = new HashSet<>();
  /** RCPT commands accepted: what {@code maxRecipients} counts, as Postfix's smtpd_recipient_limit. */
  int accepted;
  /** Content comes in BDAT chunks: DATA may no longer follow. */
  boolean bdat;
  /** Octets of content received in the BDAT chunks so far. */
  long bdatTotal;
  /** Sender authentication results learnt of the envelope (SPF), for the message's header. */
  final List<AuthResult> results = new ArrayList<>();
  /** Assigned when the message's spool file is started. */
  String queueId;

  Transaction(MailAddress sender, MailParameters parameters) {
    this.sender = sender;
    this.parameters = parameters;
  }

  /** Adds {@code copy} unless the transaction has it: Postfix's cleanup too makes one copy per mailbox or address. */
  void addCopy(Envelope.Recipient copy) {
    if (copyKeys.add((copy.local() ? 'L' : 'R') + copy.address().address().toLowerCase(Locale.ROOT))) {
      recipients.add(copy);
    }
  }
}
