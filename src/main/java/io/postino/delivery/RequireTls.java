package io.postino.delivery;

import io.postino.bus.DeliveryJob;
import io.postino.bus.TlsSummary;
import io.postino.mime.TlsRequiredField;
import io.postino.tlspolicy.Destination;
import io.postino.tlspolicy.TlsDemand;
import io.postino.tlspolicy.TlsPolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.InputStream;

/**
 * What RFC 8689 asks of delivery for one job. A message received with REQUIRETLS from a sender
 * (not a report: section 4.2.1 is about a non-empty return path) goes to a host only over TLS that
 * authenticates the server ({@link TlsDemand#REQUIRED}) and only if the server offers REQUIRETLS
 * after STARTTLS; MAIL FROM then passes the parameter on. A host that falls short fails for this
 * message, permanently ({@code 5.7.10} "encryption needed" when TLS could not be set up as required,
 * {@code 5.7.30} "REQUIRETLS support required" when the server does not offer it), and the next
 * host is tried; when none qualifies the message is returned with that status.
 *
 * <p>A report about a REQUIRETLS message (empty return path, REQUIRETLS) is protected as the
 * message was (section 5): TLS with an authenticated server, or it waits; but a server that does
 * not offer REQUIRETLS still gets it, without the parameter, since section 5 asks that it not be
 * lost for want of REQUIRETLS on the return path. An LMTP job is final delivery into this site's
 * mailbox server (section 4.4): not held to it. A message with {@code TLS-Required: No} and
 * without REQUIRETLS goes with the recipient domain's policies set aside
 * ({@link TlsDemand#OPTIONAL}); its header section is read for that only when some host's policy
 * is stricter than opportunistic TLS.
 */
final class RequireTls {

  private RequireTls() {
  }

  /** Whether the job's hosts must meet REQUIRETLS (section 4.2.1). */
  static boolean required(DeliveryJob job) {
    return job.parameters().requireTls() && !job.sender().isNullSender() && job.lmtp() == null;
  }

  /** The demand of a job to the hosts of {@code destination}. Never fails. */
  static Future<TlsDemand> demand(Vertx vertx, DeliveryJob job, Destination destination) {
    if (job.parameters().requireTls()) {
      // the header field is ignored with REQUIRETLS (section 4.1); a report is protected as the
      // message was (section 5)
      return Future.succeededFuture(job.lmtp() == null ? TlsDemand.REQUIRED : TlsDemand.NONE);
    }
    boolean strict = destination.hosts().stream().map(Destination.HostPolicy::policy)
        .anyMatch(p -> !(p instanceof TlsPolicy.Plaintext) && !(p instanceof TlsPolicy.Opportunistic));
    if (!strict) {
      return Future.succeededFuture(TlsDemand.NONE);
    }
    return vertx.executeBlocking(() -> {
      try (InputStream in = ContentPreparation.range(job.content())) {
        return TlsRequiredField.saysNo(in) ? TlsDemand.OPTIONAL : TlsDemand.NONE;
      }
    }, false).otherwise(TlsDemand.NONE);
  }

  /**
   * A session that could not be opened as a REQUIRETLS message needs: a TLS failure (no STARTTLS,
   * a failed handshake or certificate check) is final for this host; others (unreachable, a
   * refused greeting) stay as they are.
   */
  static Throwable sessionFailure(Throwable e) {
    if (e instanceof HostException h && h.tlsResultType() != null) {
      return new HostException(Failure.permanent(550, "5.7.10", "REQUIRETLS: encryption needed: "
          + h.getMessage()), h.tlsResultType());
    }
    return e;
  }

  /** Why an open session to a host under {@code policy} may not take a REQUIRETLS message, or null. */
  static Failure refusal(TlsPolicy policy, SmtpConnection c) {
    if (!c.isTls() || !policy.authenticates()) {
      return Failure.permanent(550, "5.7.10", "REQUIRETLS: encryption needed: the session with host "
          + c.target() + " is not TLS with an authenticated server");
    }
    if (!c.extensions().has("REQUIRETLS")) {
      return Failure.permanent(550, "5.7.30", "REQUIRETLS support required: host " + c.target()
          + " does not offer REQUIRETLS");
    }
    return null;
  }

  /**
   * The job as it goes on this session: REQUIRETLS passed on only where the session meets it
   * (section 2), which for a report or an LMTP job may not be the case.
   */
  static DeliveryJob asSent(DeliveryJob job, TlsPolicy policy, SmtpConnection c) {
    if (!job.parameters().requireTls() || refusal(policy, c) == null) {
      return job;
    }
    return new DeliveryJob(job.queueId(), job.domain(), job.sender(), job.parameters().withRequireTls(false),
        job.recipients(), job.content(), job.lmtp());
  }

  /**
   * The summary of a session that carries {@code sent}: when MAIL FROM passes REQUIRETLS on, its
   * policy is named {@code requiretls+dane}, {@code requiretls+verify} and so on.
   */
  static TlsSummary summary(TlsSummary s, TlsPolicy policy, DeliveryJob sent) {
    return sent.parameters().requireTls()
        ? new TlsSummary(TlsDemand.REQUIRED.policyName(policy), s.protocol(), s.cipher(), s.verified()) : s;
  }
}
