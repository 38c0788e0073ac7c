package io.postino.server.session;

import io.postino.dnsbl.Reputation;
import io.postino.dnsbl.Verdict;
import io.postino.server.ListenerPolicy;
import io.postino.server.ServerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DNS list check of one session, postscreen's DNSBL test. The lists are asked when the client
 * connects (not for {@code trustedNetworks}, nor on the submission ports, whose users authenticate),
 * and the greeting waits for their verdict, at most {@code smtp.dnsbl.maxGreetingWait}, and for the
 * greeting delay. A verdict that comes after the greeting still counts, from the command after it.
 *
 * <p>What the verdict does is the {@link Client}'s to answer: a blocked client is greeted and each
 * of its recipients refused, naming the list; an allow-listed one skips the greeting delay here
 * (postscreen's allow-listed clients skip the tests before the greeting) and the other checks that
 * read {@link Client#allowListed()}. A list that does not answer counts for nothing.
 */
final class ReputationCheck {

  private static final Logger log = LoggerFactory.getLogger(SmtpSession.class);

  private final SmtpSession session;
  private final Reputation reputation;
  private final Client client;
  private final SessionClock clock;
  private final boolean applies;
  /** The greeting is due once the delay is over and the verdict is in (or its bound is reached). */
  private boolean gating;
  private boolean delayOver;
  private boolean waitOver;
  private boolean greeted;

  ReputationCheck(SmtpSession session, ServerContext ctx, Client client, SessionClock clock) {
    this.session = session;
    this.reputation = ctx.reputation();
    this.client = client;
    this.clock = clock;
    this.applies = reputation.isEnabled() && ctx.listener() == ListenerPolicy.SMTP && !client.trusted();
  }

  /** At connect: asks the lists. */
  void start() {
    if (applies) {
      reputation.check(client.ip()).onSuccess(this::known);
    }
  }

  /** Greets once the greeting delay is over and the verdict is in, or its bound is reached. */
  void greetWhenReady() {
    gating = true;
    delayOver = delayOver || !clock.delayGreeting(this::delayOver);
    waitOver = !applies || client.reputation() != null
        || !clock.boundDnsWait(reputation.options().getMaxGreetingWait(), this::waitOver);
    greetIfReady();
  }

  private void delayOver() {
    delayOver = true;
    greetIfReady();
  }

  private void waitOver() {
    waitOver = true;
    if (client.reputation() == null) {
      log.info("DNSBL no verdict for {} within {} ms: greeting without it", client.name(),
          reputation.options().getMaxGreetingWait().toMillis());
    }
    greetIfReady();
  }

  private void known(Verdict verdict) {
    if (session.phase() == Phase.CLOSED) {
      return;
    }
    client.reputation(verdict);
    for (Verdict.Failure f : verdict.failures()) {
      log.warn("DNSBL {} gave no answer for {}: {}; counted as not listed", f.zone(), client.name(), f.reason());
    }
    if (!verdict.listings().isEmpty()) {
      // postscreen's "DNSBL rank N for [addr]:port", with the listings that make the rank
      log.info("DNSBL rank {} for {}: {}{}", verdict.score(), client.name(), verdict.describeListings(),
          verdict.blocked() ? "; blocked using " + verdict.blockingZone()
              : verdict.allowListed() ? "; allow-listed" : "");
    }
    if (verdict.allowListed()) {
      delayOver = true;
    }
    greetIfReady();
  }

  private void greetIfReady() {
    if (gating && !greeted && delayOver && (waitOver || client.reputation() != null)) {
      greeted = true;
      session.greet();
    }
  }
}
