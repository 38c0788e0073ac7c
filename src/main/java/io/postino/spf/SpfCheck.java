package io.postino.spf;

import io.postino.authres.AuthResult;
import io.postino.dns.DnsLookups;
import io.postino.dns.MxResolverOptions;
import io.postino.smtp.EnhancedStatus;
import io.postino.smtp.MailAddress;
import io.postino.smtp.SmtpReply;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * SPF at MAIL FROM (RFC 7208 section 2.4): the HELO identity (section 2.3) when it is a domain and
 * {@code spf.helo} is on, then the MAIL FROM identity ({@code postmaster@} the HELO domain for the
 * null sender, whose result is the HELO identity's), each as an {@code spf=} result of
 * Authentication-Results ({@code smtp.helo}, {@code smtp.mailfrom}), and the refusal the configured
 * action for a result asks for. Authenticated and trusted clients are not checked (the caller's
 * decision). Thread-safe.
 */
public final class SpfCheck {

  /** What SPF said of a transaction: its results, and the reply refusing MAIL FROM, or null. */
  public record Verdict(List<AuthResult> results, SmtpReply refusal) {
  }

  private final Vertx vertx;
  private final SpfEvaluator evaluator;
  private final SpfOptions options;

  SpfCheck(Vertx vertx, SpfEvaluator evaluator, SpfOptions options) {
    this.vertx = vertx;
    this.evaluator = evaluator;
    this.options = options;
  }

  /**
   * @param hostname this server's name, the {@code %{r}} of explanations
   */
  public static SpfCheck create(Vertx vertx, SpfOptions options, MxResolverOptions dns, String hostname) {
    SpfOptions copy = new SpfOptions(options);
    return new SpfCheck(vertx, new SpfEvaluator(DnsLookups.create(vertx, dns, copy.getCacheTtl()), hostname,
        Clock.systemUTC()), copy);
  }

  /**
   * Checks a transaction's identities; never fails. Completes on the caller's context: cached DNS
   * answers may belong to another event loop's session.
   */
  public Future<Verdict> check(String clientIp, String helo, MailAddress sender) {
    Context caller = vertx.getOrCreateContext();
    Promise<Verdict> verdict = Promise.promise();
    evaluate(clientIp, helo, sender).onComplete(ar -> caller.runOnContext(v -> verdict.handle(ar)));
    return verdict.future();
  }

  private Future<Verdict> evaluate(String clientIp, String helo, MailAddress sender) {
    InetAddress ip;
    try {
      // a numeric literal (the connection's address): parsed without any lookup
      ip = InetAddress.getByName(clientIp);
    } catch (UnknownHostException e) {
      return Future.succeededFuture(new Verdict(List.of(), null));
    }
    String heloDomain = helo == null ? null : SpfEvaluator.stripDot(helo).toLowerCase(Locale.ROOT);
    boolean heloIsDomain = heloDomain != null && SpfEvaluator.isValidDomain(heloDomain)
        && !heloDomain.startsWith("[");
    Future<SpfOutcome> heloOutcome = heloIsDomain && (options.isHelo() || sender.isNullSender())
        ? evaluator.check(ip, heloDomain, "postmaster@" + heloDomain, helo) : Future.succeededFuture();
    return heloOutcome.compose(h -> {
      List<AuthResult> results = new ArrayList<>();
      if (h != null && options.isHelo()) {
        results.add(result(h).with("smtp.helo", heloDomain));
        SmtpReply refusal = refusal(h, "HELO " + heloDomain);
        if (refusal != null) {
          return Future.succeededFuture(new Verdict(results, refusal));
        }
      }
      if (sender.isNullSender()) {
        // section 2.4: the null sender's identity is postmaster@ the HELO domain, already checked
        if (h == null) {
          return Future.succeededFuture(new Verdict(results, null));
        }
        results.add(result(h).with("smtp.mailfrom", "postmaster@" + heloDomain));
        return Future.succeededFuture(new Verdict(results, refusal(h, "MAIL FROM postmaster@" + heloDomain)));
      }
      return evaluator.check(ip, sender.domain(), sender.address(), helo == null ? "unknown" : helo).map(m -> {
        results.add(result(m).with("smtp.mailfrom", sender.address()));
        return new Verdict(results, refusal(m, "MAIL FROM " + sender.address()));
      });
    });
  }

  private static AuthResult result(SpfOutcome o) {
    return AuthResult.of("spf", o.result().keyword(), o.reason());
  }

  /** The reply the configured action asks for, or null to go on. */
  private SmtpReply refusal(SpfOutcome o, String identity) {
    SpfOptions.Action action = options.getAction(o.result());
    if (action == SpfOptions.Action.ACCEPT) {
      return null;
    }
    boolean reject = action == SpfOptions.Action.REJECT;
    // RFC 7372: x.7.23 "SPF validation failed", x.7.24 "SPF validation error"
    int detail = switch (o.result()) {
      case FAIL, SOFTFAIL -> 23;
      case TEMPERROR, PERMERROR -> 24;
      default -> 1;
    };
    String why = o.explanation() != null ? o.explanation() : o.reason();
    String text = "SPF " + o.result().keyword() + " for " + identity + (why == null ? "" : ": " + why);
    if (text.length() > 400) {
      text = text.substring(0, 400);
    }
    return SmtpReply.of(reject ? 550 : 451, EnhancedStatus.of(reject ? 5 : 4, 7, detail), text);
  }
}
