package io.postino.alias;

import io.postino.alias.Expansion.Target;
import io.postino.alias.Expansion.Why;
import io.postino.smtp.LocalParts;
import io.postino.smtp.MailAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Expands one recipient, as Postfix's virtual_alias_maps with its recipient_delimiter: an address
 * is looked up whole ({@code alice+news@example.org}), then without its subaddress
 * ({@code alice@example.org}); each target is expanded in turn, until it reaches a mailbox of a
 * local domain or an address elsewhere. An address with a mailbox is delivered there; otherwise
 * {@code postmaster@} and {@code abuse@} go to the postmaster's address (RFC 5321 section 4.5.1,
 * RFC 2142), and then a domain's entry applies ({@code @example.org}): a catch-all to addresses, or a
 * domain alias to other domains keeping the local part. So, unlike Postfix, a catch-all never
 * takes mail from an existing mailbox.
 *
 * <p>An alias that lists itself ({@code "a@x": ["a@x", "b@y"]}) keeps a copy in its own mailbox,
 * as in Postfix. An address met again within its own expansion is a loop; nesting deeper than the
 * limit is taken for one too. Every address an expansion reaches must exist: one that reaches a
 * local domain's unknown user makes the recipient unknown, rather than creating a stray mailbox.
 * A local part in the SRS form of a domain of this server is reversed to its original address
 * (see {@link Srs}). Pure code over an immutable table: thread-safe.
 */
public final class AliasExpander {

  private final AliasTable table;
  private final String delimiter;
  private final String postmaster;
  private final int maxDepth;
  private final int limit;
  private final Srs srs;
  private final String srsDomain;

  /**
   * @param postmaster where postmaster@ and abuse@ of a domain without their own go; null for
   *     postmaster@ the default domain
   * @param srs        null when SRS is off
   * @param srsDomain  the domain of rewritten senders when it is not a local one; may be null
   */
  public AliasExpander(AliasTable table, String delimiter, String postmaster, int maxDepth, int limit, Srs srs,
      String srsDomain) {
    this.table = table;
    this.delimiter = delimiter;
    this.postmaster = postmaster;
    this.maxDepth = maxDepth;
    this.limit = limit;
    this.srs = srs;
    this.srsDomain = srsDomain == null ? null : srsDomain.toLowerCase(Locale.ROOT);
  }

  public AliasTable table() {
    return table;
  }

  /** True when mail for {@code domain} (lower case) is taken here because of an alias (an alias domain). */
  public boolean isAliasDomain(String domain) {
    return table.hasDomain(domain) || domain.equals(srsDomain);
  }

  /**
   * @param defaultDomain the domain of a bare {@code <postmaster>}, and of the default postmaster
   * @param epochDay      today, for SRS addresses
   */
  public Expansion expand(MailAddress recipient, Mailboxes boxes, String defaultDomain, long epochDay) {
    MailAddress address = recipient.isBarePostmaster() ? new MailAddress("postmaster", defaultDomain) : recipient;
    String domain = address.domainLowerCase();
    boolean local = boxes.isLocalDomain(domain);
    if (!local && !isAliasDomain(domain)) {
      return new Expansion.NotLocal();
    }
    if (srs != null && Srs.isSrs(address.localPart())) {
      Srs.Reversal reversal = srs.reverse(address, epochDay);
      if (reversal instanceof Srs.Invalid invalid) {
        return new Expansion.Refused(Why.BAD_SRS, invalid.why());
      }
      if (reversal instanceof Srs.Valid valid) {
        address = valid.original();
        if (!boxes.isLocalDomain(address.domainLowerCase()) && !isAliasDomain(address.domainLowerCase())) {
          return new Expansion.Expanded(List.of(new Target(address, false, true)));
        }
      }
    }
    Run run = new Run(boxes, postmaster != null ? MailAddress.parse(postmaster)
        : new MailAddress("postmaster", defaultDomain));
    try {
      run.resolve(address, 0);
    } catch (Stop stop) {
      return stop.result;
    }
    return new Expansion.Expanded(new ArrayList<>(run.targets.values()));
  }

  /** The local part without its subaddress, or null when it has none. */
  static String withoutSubaddress(String localPart, String delimiter) {
    int at = LocalParts.subaddressStart(localPart, delimiter);
    return at < 0 ? null : localPart.substring(0, at);
  }

  /** The end of an expansion before its last target. */
  private static final class Stop extends RuntimeException {
    final Expansion result;

    Stop(Expansion result) {
      super(null, null, false, false);
      this.result = result;
    }
  }

  /** One expansion: the path of aliases being followed, and the targets found so far. */
  private final class Run {
    final Mailboxes boxes;
    final MailAddress postmasterAddress;
    final String postmasterKey;
    final Deque<String> path = new ArrayDeque<>();
    final Map<String, Target> targets = new LinkedHashMap<>();

    Run(Mailboxes boxes, MailAddress postmasterAddress) {
      this.boxes = boxes;
      this.postmasterAddress = postmasterAddress;
      this.postmasterKey = AliasTable.normalize(postmasterAddress);
    }

    void resolve(MailAddress address, int depth) {
      if (depth > maxDepth) {
        throw new Stop(new Expansion.Refused(Why.LOOP, "aliases nested deeper than " + maxDepth));
      }
      String key = AliasTable.normalize(address);
      if (path.contains(key)) {
        throw new Stop(new Expansion.Refused(Why.LOOP, "alias loop at " + address.path()));
      }
      String domain = address.domainLowerCase();
      boolean local = boxes.isLocalDomain(domain);
      if (!local && !isAliasDomain(domain)) {
        add(key, new Target(address, false, depth > 0));
        return;
      }
      String base = withoutSubaddress(address.localPart(), delimiter);
      List<String> aliased = table.address(address.localPart(), domain);
      if (aliased == null && base != null) {
        aliased = table.address(base, domain);
      }
      if (aliased != null) {
        follow(key, aliased, address, depth);
        return;
      }
      String user = AliasTable.normalize(base != null ? base : address.localPart());
      if (local && (boxes.hasMailbox(domain, user) || key.equals(postmasterKey))) {
        add(key, new Target(address, true, false));
        return;
      }
      if ((user.equals("postmaster") || user.equals("abuse")) && !key.equals(postmasterKey)) {
        path.push(key);
        resolve(postmasterAddress, depth + 1);
        path.pop();
        return;
      }
      List<String> whole = table.domain(domain);
      if (whole == null) {
        throw new Stop(new Expansion.Unknown());
      }
      follow(key, whole, address, depth);
    }

    private void follow(String key, List<String> aliased, MailAddress address, int depth) {
      path.push(key);
      for (String t : aliased) {
        MailAddress target = t.startsWith("@") ? new MailAddress(address.localPart(), t.substring(1))
            : MailAddress.parse(t);
        if (AliasTable.normalize(target).equals(key)) {
          // an alias that names itself keeps a copy where the address would go without it
          boolean local = boxes.isLocalDomain(target.domainLowerCase());
          add(key, new Target(target, local, !local));
        } else {
          resolve(target, depth + 1);
        }
      }
      path.pop();
    }

    private void add(String key, Target target) {
      targets.putIfAbsent(key, target);
      if (targets.size() > limit) {
        throw new Stop(new Expansion.Refused(Why.TOO_MANY, "more than " + limit + " addresses"));
      }
    }
  }
}
