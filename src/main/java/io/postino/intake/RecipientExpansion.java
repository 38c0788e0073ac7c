package io.postino.intake;

import io.postino.smtp.MailAddress;
import io.postino.smtp.SmtpReply;
import io.postino.spool.Envelope;
import java.util.List;

/**
 * What a recipient of a message made here (from {@code postino.send}, or a report) comes to: the
 * same expansion the SMTP listener applies at RCPT (aliases, subaddresses, postmaster, catch-alls,
 * SRS), as Postfix's cleanup expands every message whoever submits it. Set on the {@link Intake}
 * by whoever holds the recipient policy, so that intake need not know it.
 */
@FunctionalInterface
public interface RecipientExpansion {

  /** The envelope recipients for {@code recipient} of a message from {@code sender}. */
  Outcome expand(MailAddress sender, MailAddress recipient);

  /** The copies to make, or why there are none. */
  sealed interface Outcome {
  }

  /** The envelope recipients, at least one, each with its ORCPT and, when forwarded, its own sender. */
  record Copies(List<Envelope.Recipient> recipients) implements Outcome {
    public Copies {
      recipients = List.copyOf(recipients);
    }
  }

  /** Refused, with the reply an SMTP client would have had at RCPT. */
  record Refused(SmtpReply reply) implements Outcome {
  }
}
