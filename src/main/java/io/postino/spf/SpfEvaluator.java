package io.postino.spf;

import io.postino.dns.DnsAnswer;
import io.postino.dns.DnsLookups;
import io.postino.spf.SpfRecord.Directive;
import io.vertx.core.Future;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code check_host()} function of RFC 7208 (section 4) on Postino's non-blocking DNS: one
 * evaluation per identity, its terms in order, {@code include} and {@code redirect} evaluated
 * recursively under one budget of 10 DNS-querying terms and 2 void lookups (section 4.6.4), at most
 * 10 names looked up for each {@code mx} and {@code ptr}; an explanation ({@code exp=}) fetched for
 * a {@code fail}. Thread-safe; an evaluation runs on the caller's context.
 */
public final class SpfEvaluator {

  static final int MAX_LOOKUPS = 10;
  static final int MAX_VOID_LOOKUPS = 2;
  static final int MAX_NAMES = 10;

  private final DnsLookups dns;
  private final String receiver;
  private final Clock clock;

  /**
   * @param receiver this server's name, the {@code %{r}} of explanations
   */
  public SpfEvaluator(DnsLookups dns, String receiver, Clock clock) {
    this.dns = dns;
    this.receiver = receiver;
    this.clock = clock;
  }

  /**
   * {@code check_host(ip, domain, sender)}: never fails, errors are {@code temperror} and
   * {@code permerror} outcomes.
   *
   * @param sender the MAIL FROM address, or {@code postmaster@helo} for the HELO identity and the null sender
   * @param helo   the HELO/EHLO argument, for the {@code %{h}} macro
   */
  public Future<SpfOutcome> check(InetAddress ip, String domain, String sender, String helo) {
    Evaluation e = new Evaluation(ip, sender, helo);
    Future<SpfOutcome> outcome;
    try {
      outcome = e.checkHost(domain, true);
    } catch (SpfException ex) {
      outcome = Future.failedFuture(ex);
    }
    return outcome.recover(failure -> failure instanceof SpfException s
        ? Future.succeededFuture(SpfOutcome.of(s.result(), s.getMessage())) : Future.failedFuture(failure));
  }

  /** The state of one check: the terms' budget and the macros' values. */
  private final class Evaluation {

    private final InetAddress ip;
    private final String sender;
    private final String helo;
    private int lookups;
    private int voids;

    Evaluation(InetAddress ip, String sender, String helo) {
      this.ip = ip;
      this.sender = sender;
      this.helo = helo;
    }

    /** @param explain whether a fail gets its explanation (not inside an include, whose result is only a match) */
    Future<SpfOutcome> checkHost(String domain, boolean explain) {
      String d = stripDot(domain);
      if (!isValidDomain(d)) {
        return Future.succeededFuture(SpfOutcome.of(SpfResult.NONE, "not a domain name: " + domain));
      }
      return dns.txt(d).compose(answer -> {
        if (answer.isTemporary()) {
          throw SpfException.temperror("SPF record of " + d + ": " + answer.temporary());
        }
        List<String> spf = answer.records().stream().filter(SpfRecord::isSpf).toList();
        if (spf.isEmpty()) {
          return Future.succeededFuture(SpfOutcome.of(SpfResult.NONE, "no SPF record at " + d));
        }
        if (spf.size() > 1) {
          throw SpfException.permerror("several SPF records at " + d);
        }
        SpfRecord record = SpfRecord.parse(spf.get(0));
        return validatedNameIf(Macros.usesP(spf.get(0)), d)
            .compose(p -> evaluate(record, d, p, 0, explain));
      });
    }

    private Future<SpfOutcome> evaluate(SpfRecord record, String domain, String p, int index, boolean explain) {
      if (index == record.directives().size()) {
        return noMatch(record, domain, p);
      }
      Directive directive = record.directives().get(index);
      return matches(directive, domain, p).compose(matched -> {
        if (!matched) {
          return evaluate(record, domain, p, index + 1, explain);
        }
        SpfResult result = SpfResult.ofQualifier(directive.qualifier());
        String reason = describe(domain, result, directive);
        if (result != SpfResult.FAIL || !explain || record.exp() == null) {
          return Future.succeededFuture(SpfOutcome.of(result, reason));
        }
        return explanation(record.exp(), domain, p).map(exp -> new SpfOutcome(result, reason, exp));
      });
    }

    private Future<SpfOutcome> noMatch(SpfRecord record, String domain, String p) {
      if (record.redirect() == null) {
        return Future.succeededFuture(SpfOutcome.of(SpfResult.NEUTRAL, "no mechanism of " + domain + " matched"));
      }
      countLookup();
      String target = expand(record.redirect(), domain, p);
      // the target's own explanation applies (section 6.2)
      return checkHost(target, true).map(o -> {
        if (o.result() == SpfResult.NONE) {
          throw SpfException.permerror("redirect=" + target + ": no SPF record");
        }
        return o;
      });
    }

    private Future<Boolean> matches(Directive d, String domain, String p) {
      return switch (d.mechanism()) {
        case ALL -> Future.succeededFuture(true);
        case IP4, IP6 -> Future.succeededFuture(inNetwork(d.network(), d.mechanism() == SpfRecord.Mechanism.IP4
            ? d.cidr4() : d.cidr6()));
        case INCLUDE -> {
          countLookup();
          String target = expand(d.domainSpec(), domain, p);
          yield checkHost(target, false).map(o -> switch (o.result()) {
            case PASS -> true;
            case FAIL, SOFTFAIL, NEUTRAL -> false;
            case TEMPERROR -> throw SpfException.temperror(o.reason());
            case NONE -> throw SpfException.permerror("include:" + target + ": no SPF record");
            case PERMERROR -> throw SpfException.permerror(o.reason());
          });
        }
        case A -> {
          countLookup();
          yield addresses(target(d, domain, p), true).map(found -> anyInNetwork(found, d));
        }
        case MX -> {
          countLookup();
          String target = target(d, domain, p);
          yield ask(target, dns::mx).compose(mx -> {
            if (mx.isTemporary()) {
              throw SpfException.temperror("MX of " + target + ": " + mx.temporary());
            }
            countVoid(mx);
            if (mx.records().size() > MAX_NAMES) {
              throw SpfException.permerror("more than " + MAX_NAMES + " MX records at " + target);
            }
            List<Future<List<InetAddress>>> all = new ArrayList<>();
            for (String host : mx.records()) {
              all.add(addresses(host, false));
            }
            return Future.all(all).map(done -> {
              for (int i = 0; i < all.size(); i++) {
                if (anyInNetwork(done.resultAt(i), d)) {
                  return true;
                }
              }
              return false;
            });
          });
        }
        case PTR -> {
          countLookup();
          String target = target(d, domain, p).toLowerCase(Locale.ROOT);
          yield validatedNames().map(names -> names.stream()
              .anyMatch(n -> n.equals(target) || n.endsWith("." + target)));
        }
        case EXISTS -> {
          countLookup();
          String target = expand(d.domainSpec(), domain, p);
          yield ask(target, dns::a).map(a -> {
            if (a.isTemporary()) {
              throw SpfException.temperror("A of " + target + ": " + a.temporary());
            }
            countVoid(a);
            return !a.records().isEmpty();
          });
        }
      };
    }

    /**
     * The addresses of a name of the client address's family; {@code counted}: a void answer
     * counts against the void-lookup limit (the names of an mx's hosts do not).
     */
    private Future<List<InetAddress>> addresses(String name, boolean counted) {
      boolean v4 = ip instanceof Inet4Address;
      return ask(name, v4 ? dns::a : dns::aaaa).map(answer -> {
        if (answer.isTemporary()) {
          throw SpfException.temperror((v4 ? "A" : "AAAA") + " of " + name + ": " + answer.temporary());
        }
        if (counted) {
          countVoid(answer);
        }
        List<InetAddress> found = new ArrayList<>();
        for (String literal : answer.records()) {
          found.add(literal(literal));
        }
        return found;
      });
    }

    /**
     * The names of the client address (PTR, at most 10) whose own addresses include it (section
     * 5.5); a DNS error leaves a name out, and a failed PTR lookup gives none.
     */
    private Future<List<String>> validatedNames() {
      return dns.ptr(Macros.reverseName(ip)).compose(ptr -> {
        List<String> names = ptr.records().stream().limit(MAX_NAMES).map(n -> stripDot(n).toLowerCase(Locale.ROOT))
            .toList();
        List<Future<List<InetAddress>>> lookups = new ArrayList<>();
        for (String n : names) {
          lookups.add(addresses(n, false).recover(failure -> Future.succeededFuture(List.of())));
        }
        return Future.all(lookups).map(done -> {
          List<String> valid = new ArrayList<>();
          for (int i = 0; i < names.size(); i++) {
            if (done.<List<InetAddress>>resultAt(i).contains(ip)) {
              valid.add(names.get(i));
            }
          }
          return valid;
        });
      });
    }

    /** The {@code %{p}} value (section 7.3): the domain itself, else a subdomain of it, else any validated name. */
    private Future<String> validatedNameIf(boolean needed, String domain) {
      if (!needed) {
        return Future.succeededFuture(null);
      }
      String d = domain.toLowerCase(Locale.ROOT);
      return validatedNames().map(names -> names.contains(d) ? d
          : names.stream().filter(n -> n.endsWith("." + d)).findFirst().orElse(names.isEmpty() ? null : names.get(0)));
    }

    private Future<String> explanation(String expSpec, String domain, String p) {
      String target;
      try {
        target = expand(expSpec, domain, p);
      } catch (SpfException e) {
        return Future.succeededFuture(null);
      }
      // section 6.2: no explanation for any trouble, and the lookup is not counted
      return dns.txt(target).map(answer -> {
        if (answer.isTemporary() || answer.records().size() != 1) {
          return null;
        }
        try {
          return Macros.expand(answer.records().get(0), context(domain, p), true);
        } catch (SpfException e) {
          return null;
        }
      });
    }

    /**
     * A lookup, unless the name cannot be asked (an empty or over-long label, from a macro):
     * RFC 7208 leaves that undefined; it is taken as a name that does not exist, as in section 4.3.
     */
    private Future<DnsAnswer> ask(String name, java.util.function.Function<String, Future<DnsAnswer>> lookup) {
      return isValidDomain(name) ? lookup.apply(name) : Future.succeededFuture(new DnsAnswer(List.of(), true, null));
    }

    private String target(Directive d, String domain, String p) {
      return d.domainSpec() == null ? domain : expand(d.domainSpec(), domain, p);
    }

    private String expand(String spec, String domain, String p) {
      return stripDot(Macros.expand(spec, context(domain, p), false));
    }

    private Macros.Context context(String domain, String p) {
      return new Macros.Context(sender, domain, ip, helo, p, receiver, clock.instant().getEpochSecond());
    }

    private void countLookup() {
      if (++lookups > MAX_LOOKUPS) {
        throw SpfException.permerror("more than " + MAX_LOOKUPS + " DNS lookups");
      }
    }

    private void countVoid(DnsAnswer answer) {
      if (answer.isVoid() && ++voids > MAX_VOID_LOOKUPS) {
        throw SpfException.permerror("more than " + MAX_VOID_LOOKUPS + " void DNS lookups");
      }
    }

    private boolean anyInNetwork(List<InetAddress> addresses, Directive d) {
      int prefix = ip instanceof Inet4Address ? d.cidr4() : d.cidr6();
      return addresses.stream().anyMatch(a -> inNetwork(a, prefix));
    }

    private boolean inNetwork(InetAddress network, int prefix) {
      byte[] a = ip.getAddress();
      byte[] n = network.getAddress();
      if (a.length != n.length) {
        return false;
      }
      for (int bit = 0; bit < prefix; bit++) {
        int mask = 0x80 >> (bit % 8);
        if ((a[bit / 8] & mask) != (n[bit / 8] & mask)) {
          return false;
        }
      }
      return true;
    }

    private String describe(String domain, SpfResult result, Directive d) {
      String who = ip.getHostAddress();
      return switch (result) {
        case PASS -> domain + ": " + who + " is authorized";
        case FAIL -> domain + ": " + who + " is not authorized";
        case SOFTFAIL -> domain + ": " + who + " is not authorized (softfail)";
        default -> domain + ": " + who + " is neither authorized nor refused";
      } + " by " + d.mechanism().name().toLowerCase(Locale.ROOT);
    }
  }

  private static InetAddress literal(String address) {
    try {
      // an address literal from a DNS answer: parsed without any lookup
      return InetAddress.getByName(address);
    } catch (java.net.UnknownHostException e) {
      throw SpfException.permerror("bad address in DNS answer: " + address);
    }
  }

  static String stripDot(String name) {
    return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
  }

  /**
   * A multi-label name whose labels are 1 to 63 octets, 253 in all (section 4.3); an address
   * literal ({@code [192.0.2.1]}) is none.
   */
  static boolean isValidDomain(String d) {
    if (d.isEmpty() || d.length() > 253 || d.indexOf('.') < 0 || d.startsWith("[")) {
      return false;
    }
    for (String label : d.split("\\.", -1)) {
      if (label.isEmpty() || label.length() > 63) {
        return false;
      }
    }
    return true;
  }
}
