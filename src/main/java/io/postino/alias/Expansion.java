package io.postino.alias;

import io.postino.smtp.MailAddress;
import java.util.List;

/** What a recipient address comes to after aliases, subaddresses, postmaster and SRS. */
public sealed interface Expansion {

  /** Where one copy goes: a local mailbox, or a remote address; {@code forwarded} when an alias or SRS sent it there. */
  record Target(MailAddress address, boolean local, boolean forwarded) {
  }

  /** Not a domain of this server: the relay rules decide. */
  record NotLocal() implements Expansion {
  }

  /** A domain of this server, but neither a mailbox nor an alias: user unknown. */
  record Unknown() implements Expansion {
  }

  /** The copies to make, at least one, without duplicates. */
  record Expanded(List<Target> targets) implements Expansion {
    public Expanded {
      targets = List.copyOf(targets);
    }
  }

  /** Refused: an alias loop or too deep, too many addresses, or a forged or expired SRS address. */
  record Refused(Why why, String detail) implements Expansion {
  }

  /** Why an expansion is refused. */
  enum Why { LOOP, TOO_MANY, BAD_SRS }
}
