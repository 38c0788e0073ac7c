package io.postino.server;

import io.postino.alias.AliasExpander;
import io.postino.alias.AliasOptions;
import io.postino.alias.AliasTable;
import io.postino.alias.Aliases;
import io.postino.alias.Expansion;
import io.postino.alias.Expansion.Target;
import io.postino.alias.Mailboxes;
import io.postino.metrics.Refusal;
import io.postino.smtp.LocalParts;
import io.postino.smtp.MailAddress;
import io.postino.smtp.RcptParameters;
import io.postino.smtp.Replies;
import io.postino.smtp.SmtpReply;
import io.postino.spool.Envelope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Decides at RCPT time whether a recipient is local, relayed or refused, and where its copies go:
 * a recipient in a local domain (or an alias domain) is expanded through the aliases
 * ({@link AliasExpander}: aliases, subaddresses, postmaster and abuse, catch-alls, SRS), and
 * refused as unknown when it reaches neither a mailbox nor an alias (a domain with a user list
 * has those users' mailboxes, compared in NFC; a domain without one has every mailbox); refused
 * with {@code 553 5.1.3} when its local part holds a control or format character, see {@link
 * LocalParts}. Any other recipient is relayed only for trusted networks and authenticated
 * clients, as Postfix's {@code permit_mynetworks, permit_sasl_authenticated,
 * reject_unauth_destination}.
 */
public final class RecipientPolicy implements Mailboxes {

  public static final List<String> DEFAULT_LOCAL_DOMAINS = List.of("localhost");
  public static final List<String> DEFAULT_TRUSTED_NETWORKS = List.of("127.0.0.0/8", "::1/128");

  /** The outcome for one recipient. */
  public sealed interface Decision {
  }

  /** Accepted: the copies to make, one for a plain recipient, as many as its aliases lead to otherwise. */
  public record Accept(List<Target> targets) implements Decision {
  }

  /** Refused with {@code reply}; {@code reason} is what metrics count it as. */
  public record Refuse(SmtpReply reply, Refusal reason) implements Decision {
  }

  /** Without {@link Aliases}: no aliases, the default recipient delimiter, no SRS. */
  private static final AliasExpander NO_ALIASES = new AliasExpander(AliasTable.EMPTY,
      AliasOptions.DEFAULT_RECIPIENT_DELIMITER, null, AliasOptions.DEFAULT_MAX_DEPTH,
      AliasOptions.DEFAULT_EXPANSION_LIMIT, null, null);

  private final Set<String> localDomains;
  private final String defaultDomain;
  private final Map<String, Set<String>> localUsers;
  private final List<Cidr> trustedNetworks;
  private final Aliases aliases;

  /**
   * @param localDomains    domains delivered here, the first one also for a bare {@code <postmaster>}
   * @param localUsers      per local domain, the known users; a domain not in the map takes any user
   * @param trustedNetworks clients allowed to relay without authentication (no aliases: see {@link #withAliases})
   */
  public RecipientPolicy(List<String> localDomains, Map<String, List<String>> localUsers, List<Cidr> trustedNetworks) {
    this.aliases = null;
    if (localDomains.isEmpty()) {
      throw new IllegalArgumentException("at least one local domain is needed");
    }
    Set<String> domains = new LinkedHashSet<>();
    localDomains.forEach(d -> domains.add(d.toLowerCase(Locale.ROOT)));
    this.localDomains = Set.copyOf(domains);
    this.defaultDomain = domains.iterator().next();
    Map<String, Set<String>> users = new HashMap<>();
    localUsers.forEach((domain, list) -> {
      Set<String> set = new HashSet<>();
      list.forEach(u -> set.add(LocalParts.normalize(u.toLowerCase(Locale.ROOT))));
      users.put(domain.toLowerCase(Locale.ROOT), Set.copyOf(set));
    });
    this.localUsers = Map.copyOf(users);
    this.trustedNetworks = List.copyOf(trustedNetworks);
  }

  private RecipientPolicy(RecipientPolicy other, Aliases aliases) {
    this.localDomains = other.localDomains;
    this.defaultDomain = other.defaultDomain;
    this.localUsers = other.localUsers;
    this.trustedNetworks = other.trustedNetworks;
    this.aliases = aliases;
  }

  /** This policy with the node's aliases (whose file may change under it). */
  public RecipientPolicy withAliases(Aliases aliases) {
    return new RecipientPolicy(this, aliases);
  }

  public String defaultDomain() {
    return defaultDomain;
  }

  @Override
  public boolean isLocalDomain(String domain) {
    return localDomains.contains(domain.toLowerCase(Locale.ROOT));
  }

  @Override
  public boolean hasMailbox(String domain, String user) {
    Set<String> users = localUsers.get(domain);
    return users == null || users.contains(user);
  }

  /** True when a client at this address (raw IPv4/IPv6 bytes) may relay without AUTH. */
  public boolean isTrusted(byte[] clientAddress) {
    for (Cidr c : trustedNetworks) {
      if (c.contains(clientAddress)) {
        return true;
      }
    }
    return false;
  }

  /**
   * @param mayRelay the client is in a trusted network or authenticated
   */
  public Decision check(MailAddress recipient, boolean mayRelay) {
    if (!recipient.isBarePostmaster() && localDomains.contains(recipient.domainLowerCase())
        && LocalParts.hasRefusedCharacter(LocalParts.normalize(recipient.localPart().toLowerCase(Locale.ROOT)))) {
      // a local part names a mailbox directory: one Unicode form, nothing invisible in it
      return new Refuse(Replies.BAD_MAILBOX_CHARACTER, Refusal.UNKNOWN_USER);
    }
    AliasExpander expander = aliases == null ? NO_ALIASES : aliases.expander();
    Expansion expansion = expander.expand(recipient, this, defaultDomain, Aliases.today());
    if (expansion instanceof Expansion.Expanded expanded) {
      return new Accept(expanded.targets());
    }
    if (expansion instanceof Expansion.Refused refused) {
      return new Refuse(switch (refused.why()) {
        case LOOP -> Replies.aliasLoop(recipient);
        case TOO_MANY -> Replies.aliasTooMany(recipient);
        case BAD_SRS -> Replies.badSrs(recipient, refused.detail());
      }, Refusal.UNKNOWN_USER);
    }
    if (expansion instanceof Expansion.Unknown) {
      return new Refuse(Replies.unknownUser(recipient), Refusal.UNKNOWN_USER);
    }
    return mayRelay ? new Accept(List.of(new Target(recipient, false, false)))
        : new Refuse(Replies.relayDenied(recipient), Refusal.RELAY);
  }

  /**
   * The envelope recipients of an accepted {@code recipient} of a message from {@code sender}. A
   * copy an alias or SRS leads elsewhere keeps the address given as its ORCPT (RFC 3461), unless
   * {@code parameters} hold one, so that a DSN names the address the sender knows, as Postfix's
   * cleanup does; a copy forwarded to another domain gets the SRS form of the sender.
   */
  public List<Envelope.Recipient> copies(MailAddress sender, MailAddress recipient, RcptParameters parameters,
      Accept accept) {
    List<Envelope.Recipient> copies = new ArrayList<>(accept.targets().size());
    for (Target t : accept.targets()) {
      RcptParameters p = parameters;
      if (!t.address().equals(recipient) && p.orcpt() == null) {
        p = new RcptParameters(p.notifications(), "rfc822;" + recipient.address());
      }
      MailAddress copySender = t.forwarded() ? forwardingSender(sender, recipient) : null;
      copies.add(new Envelope.Recipient(t.address(), p, t.local(), copySender));
    }
    return copies;
  }

  /**
   * The sender to give the copy of a message from {@code sender} that an alias or SRS forwards from
   * {@code recipient} to another domain: its SRS form (see {@link io.postino.alias.Srs}), or null
   * to keep it (SRS off, the null sender, or a sender of a local domain, whose SPF names this server).
   */
  public MailAddress forwardingSender(MailAddress sender, MailAddress recipient) {
    if (aliases == null || sender.isNullSender() || isLocalDomain(sender.domainLowerCase())) {
      return null;
    }
    String domain = recipient.isBarePostmaster() ? defaultDomain : recipient.domainLowerCase();
    return aliases.forwardingSender(sender, domain);
  }
}
