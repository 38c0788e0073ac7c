package io.postino.server;

import io.postino.bus.Addresses;
import io.postino.bus.PolicyRequest;
import io.postino.bus.PolicyVerdict;
import io.postino.smtp.EnhancedStatus;
import io.postino.smtp.SmtpReply;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets applications decide, over the event bus, whether the server takes a recipient
 * ({@code postino.policy.rcpt}) or a message ({@code postino.policy.data}). With no consumer on
 * an address the server decides alone; a consumer that does not answer in time, fails, or answers
 * nonsense gets the configured default. Maps onto the {@code "policy"} object of the configuration.
 *
 * <p>Once the bus has answered that no consumer listens on an address, the server decides alone
 * for {@code policy.absenceRecheck} without asking: a question to nobody still costs a request,
 * its reply handler and its timer, about a tenth of the CPU of taking a small message. A consumer
 * registered meanwhile is asked from the next question after that.
 *
 * <p>Thread-safe: one instance serves every session of the listeners.
 */
public final class ApplicationPolicy {

  private static final Logger log = LoggerFactory.getLogger(ApplicationPolicy.class);

  private static final SmtpReply TEMPFAIL = SmtpReply.of(451, EnhancedStatus.of(4, 3, 0),
      "Error: policy service unavailable, try again later");

  private final Vertx vertx;
  private final Addresses addresses;
  private final boolean enabled;
  private final DeliveryOptions delivery;
  private final boolean acceptOnFailure;
  private final Hook recipients;
  private final Hook messages;

  public ApplicationPolicy(Vertx vertx, Addresses addresses, PolicyOptions options) {
    this.vertx = vertx;
    this.addresses = addresses;
    this.enabled = options.isEnabled();
    this.delivery = new DeliveryOptions().setSendTimeout(Math.max(1, options.getTimeout().toMillis()));
    this.acceptOnFailure = options.getOnFailure() == PolicyOptions.OnFailure.ACCEPT;
    long recheck = options.getAbsenceRecheck().toNanos();
    this.recipients = new Hook(addresses.policyRcpt(), "Recipient address rejected by policy", recheck);
    this.messages = new Hook(addresses.policyData(), "Message rejected by policy", recheck);
  }

  /** Asks about one recipient; completes with null to accept, or with the refusal to send. */
  public Future<SmtpReply> checkRecipient(PolicyRequest request) {
    return ask(recipients, request, Future::succeededFuture);
  }

  /**
   * Asks about a whole message; completes with null to accept, or with the refusal to send. The
   * request names the message's spool file, which the spool may not have written yet:
   * {@code fileWritten} makes sure it has, and runs only when a consumer is actually asked (its
   * failure counts as no usable answer).
   */
  public Future<SmtpReply> checkMessage(PolicyRequest request, Supplier<Future<?>> fileWritten) {
    return ask(messages, request, fileWritten);
  }

  /**
   * Whether a message would be asked about now: false while no consumer is known to listen, so
   * the session may commit without waiting for a verdict.
   */
  public boolean asksAboutMessages() {
    return !messages.knownAbsent();
  }

  public boolean isEnabled() {
    return enabled;
  }

  private Future<SmtpReply> ask(Hook hook, PolicyRequest request, Supplier<Future<?>> before) {
    if (hook.knownAbsent()) {
      return Future.succeededFuture();
    }
    return before.get().compose(v -> vertx.eventBus().<JsonObject>request(hook.address, request.toJson(), delivery))
        .map(answer -> toReply(PolicyVerdict.fromJson(answer.body()), hook.defaultText))
        .recover(failure -> {
          if (failure instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS) {
            hook.absent();
            return Future.succeededFuture();
          }
          log.warn("policy {}: no usable answer ({}), {}", hook.address, failure.toString(),
              acceptOnFailure ? "accepting" : "deferring");
          return Future.succeededFuture(acceptOnFailure ? null : TEMPFAIL);
        });
  }

  /** One hook's address, and until when no consumer is believed to listen on it. */
  private static final class Hook {
    final String address;
    final String defaultText;
    private final long recheckNanos;
    /** System.nanoTime() until which the server decides alone; passed from the start. */
    private volatile long absentUntil = System.nanoTime();

    Hook(String address, String defaultText, long recheckNanos) {
      this.address = address;
      this.defaultText = defaultText;
      this.recheckNanos = recheckNanos;
    }

    boolean knownAbsent() {
      return System.nanoTime() - absentUntil < 0;
    }

    void absent() {
      absentUntil = System.nanoTime() + recheckNanos;
    }
  }

  private static SmtpReply toReply(PolicyVerdict verdict, String defaultText) {
    if (verdict.accept()) {
      return null;
    }
    int code = verdict.code();
    EnhancedStatus status = verdict.status() == null ? null : EnhancedStatus.parse(verdict.status());
    if (status == null || status.klass() != code / 100) {
      status = EnhancedStatus.of(code / 100, 7, 1);
    }
    String text = verdict.text() == null || verdict.text().isBlank()
        ? defaultText
        // the consumer's text goes on the wire: one line, printable
        : verdict.text().replaceAll("[\\x00-\\x1f\\x7f]", " ");
    return SmtpReply.of(code, status, text);
  }
}
