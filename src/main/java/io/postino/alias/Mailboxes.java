package io.postino.alias;

/** What the recipient policy knows of local mailboxes, for the expansion of aliases. */
public interface Mailboxes {

  /** True when mail for {@code domain} (lower case) is delivered to Maildirs here. */
  boolean isLocalDomain(String domain);

  /**
   * True when {@code user} (lower case, NFC, no subaddress) has a mailbox in local domain
   * {@code domain}: listed in its users, or any user when the domain has no list.
   */
  boolean hasMailbox(String domain, String user);
}
