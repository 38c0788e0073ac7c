package io.postino.server;

import io.postino.metrics.Refusal;
import io.postino.smtp.LocalParts;
import io.postino.smtp.MailAddress;
import io.postino.smtp.Replies;
import io.postino.smtp.SmtpReply;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Decides at RCPT time whether a recipient is local, relayed or refused: a recipient in a local
 * domain is local (refused as unknown when the domain has a user list and the user is not on
 * it, compared in NFC; refused with {@code 553 5.1.3} when its local part holds a control or
 * format character, see {@link LocalParts}); any other recipient is relayed only for trusted networks and authenticated clients, as
 * Postfix's {@code permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination}.
 */
public final class RecipientPolicy {

  public static final List<String> DEFAULT_LOCAL_DOMAINS = List.of("localhost");
  public static final List<String> DEFAULT_TRUSTED_NETWORKS = List.of("127.0.0.0/8", "::1/128");

  /** The outcome for one recipient. */
  public sealed interface Decision {
  }

  /** Accepted: {@code local} is true for a local mailbox, false for relay. */
  public record Accept(boolean local) implements Decision {
  }

  /** Refused with {@code reply}; {@code reason} is what metrics count it as. */
  public record Refuse(SmtpReply reply, Refusal reason) implements Decision {
  }

  private static final Accept LOCAL = new Accept(true);
  private static final Accept RELAY = new Accept(false);

  private final Set<String> localDomains;
  private final String defaultDomain;
  private final Map<String, Set<String>> localUsers;
  private final List<Cidr> trustedNetworks;

  /**
   * @param localDomains    domains delivered here, the first one also for a bare {@code <postmaster>}
   * @param localUsers      per local domain, the known users; a domain not in the map takes any user
   * @param trustedNetworks clients allowed to relay without authentication
   */
  public RecipientPolicy(List<String> localDomains, Map<String, List<String>> localUsers, List<Cidr> trustedNetworks) {
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

  public String defaultDomain() {
    return defaultDomain;
  }

  public boolean isLocalDomain(String domain) {
    return localDomains.contains(domain.toLowerCase(Locale.ROOT));
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
    if (recipient.isBarePostmaster()) {
      return LOCAL;
    }
    String domain = recipient.domainLowerCase();
    if (localDomains.contains(domain)) {
      // a local part names a mailbox directory: one Unicode form, nothing invisible in it
      String user = LocalParts.normalize(recipient.localPart().toLowerCase(Locale.ROOT));
      if (LocalParts.hasRefusedCharacter(user)) {
        return new Refuse(Replies.BAD_MAILBOX_CHARACTER, Refusal.UNKNOWN_USER);
      }
      Set<String> users = localUsers.get(domain);
      // RFC 5321 section 4.5.1: postmaster must be accepted in every domain served
      if (users == null || users.contains(user) || user.equals("postmaster")) {
        return LOCAL;
      }
      return new Refuse(Replies.unknownUser(recipient), Refusal.UNKNOWN_USER);
    }
    return mayRelay ? RELAY : new Refuse(Replies.relayDenied(recipient), Refusal.RELAY);
  }
}
