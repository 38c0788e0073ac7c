package io.postino.intake;

import io.postino.smtp.MailAddress;
import io.postino.smtp.SmtpReply;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The recipients of a message made here that {@link RecipientExpansion} refuses (an unknown user,
 * an alias loop, too many addresses): nothing is spooled. An {@link IllegalArgumentException},
 * because it is the request's fault and repeating it does not help.
 */
public final class RefusedRecipients extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final transient Map<MailAddress, SmtpReply> refused;

  RefusedRecipients(Map<MailAddress, SmtpReply> refused) {
    super(refused.entrySet().stream()
        .map(e -> e.getKey().path() + ": " + e.getValue())
        .collect(Collectors.joining("; ", "recipients refused: ", "")));
    this.refused = Map.copyOf(refused);
  }

  /** Each refused recipient, with its reply. */
  public Map<MailAddress, SmtpReply> refused() {
    return refused;
  }
}
