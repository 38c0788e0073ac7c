package io.postino;

import io.postino.alias.Aliases;
import io.postino.intake.RecipientExpansion;
import io.postino.server.RecipientPolicy;
import io.postino.smtp.MailAddress;
import io.postino.smtp.RcptParameters;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The intake's expansion of the recipients of messages made on the node ({@code postino.send},
 * reports): the recipient policy of the moment (a reload reaches it too) with the node's aliases,
 * as a trusted client's RCPT, so that one piece of code expands what SMTP and the node bring.
 */
final class PolicyExpansion implements RecipientExpansion {

  private final AtomicReference<RecipientPolicy> policy;
  private final Aliases aliases;

  PolicyExpansion(AtomicReference<RecipientPolicy> policy, Aliases aliases) {
    this.policy = policy;
    this.aliases = aliases;
  }

  /**
   * The node's aliases, the same for the listeners and the intake; the SRS key lives next to the
   * spool unless {@code srs.secretFile} says otherwise, as the generated certificate does.
   */
  static Aliases aliases(PostinoOptions config) {
    Path spoolParent = config.getSpoolDirectory().toAbsolutePath().getParent();
    return new Aliases(config.getAliases(),
        spoolParent == null ? Path.of("srs.secret") : spoolParent.resolve("srs.secret"));
  }

  @Override
  public Outcome expand(MailAddress sender, MailAddress recipient) {
    RecipientPolicy p = policy.get().withAliases(aliases);
    RecipientPolicy.Decision decision = p.check(recipient, true);
    if (decision instanceof RecipientPolicy.Refuse refuse) {
      return new Refused(refuse.reply());
    }
    return new Copies(p.copies(sender, recipient, RcptParameters.NONE, (RecipientPolicy.Accept) decision));
  }
}
