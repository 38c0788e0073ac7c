package io.postino.bounce;

import io.postino.bus.RecipientResult;
import io.postino.smtp.RcptParameters;
import io.postino.spool.Envelope;
import io.postino.spool.MessageStatus;
import io.postino.spool.SpooledMessage;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides who is told what about a message's recipients, and has the reports sent (RFC 3461,
 * RFC 3464): per round, one failure report for the recipients that failed for good or ran out of
 * time, one success report for those delivered that asked for it (NOTIFY=SUCCESS), and one delay
 * warning for those still being tried past {@code delayWarning} that were not warned yet. A
 * message from {@code <>} never causes a report; a recipient that asked for none of a kind
 * (NOTIFY=NEVER, or a list without it) is left out of that kind.
 *
 * <p>Each spooled report goes to the queue through the {@link Bouncer}, so it is delivered like any
 * other message. Recording that a report went out is the caller's work.
 */
public final class Notifier {

  private static final Logger log = LoggerFactory.getLogger(Notifier.class);

  private final Bouncer bouncer;
  private final BounceSettings settings;

  public Notifier(Bouncer bouncer, BounceSettings settings) {
    this.bouncer = bouncer;
    this.settings = settings;
  }

  /**
   * Reports recipients that failed for good ({@code failed}) or whose time ran out
   * ({@code expired}). Completes with true when the message is itself an undeliverable bounce to
   * be held, false otherwise, once any report is durably spooled.
   */
  public Future<Boolean> reportFailures(SpooledMessage message, MessageStatus status, List<Integer> failed,
      List<Integer> expired) {
    Envelope env = message.envelope();
    List<Integer> all = new ArrayList<>(failed);
    all.addAll(expired);
    if (env.sender().isNullSender()) {
      // nobody to tell, and telling anybody could loop
      boolean hold = settings.holdUndeliverableBounces();
      log.warn("{}: undeliverable message from <> {}: {}", env.queueId(), hold ? "held" : "dropped",
          describe(message, status, all));
      return Future.succeededFuture(hold);
    }
    List<DsnBuilder.Item> items = new ArrayList<>();
    for (int i : all) {
      Envelope.Recipient r = env.recipients().get(i);
      if (wantsFailure(r)) {
        items.add(new DsnBuilder.Item(r.address(), r.parameters().orcpt(), resultOf(message, status, i),
            expired.contains(i)));
      }
    }
    if (items.isEmpty()) {
      return Future.succeededFuture(false);
    }
    return bouncer.send(message, DsnBuilder.Kind.FAILED, items, null).map(dsn -> {
      // Postfix's line; the new id's own accept and delivery lines follow it
      if (dsn != null) {
        log.info("{}: sender non-delivery notification: {}", env.queueId(), dsn.queueId());
      }
      return false;
    });
  }

  /**
   * Sends a delay warning about the recipients still being tried once the message has waited
   * {@code delayWarning}, each recipient at most once: those that asked with NOTIFY=DELAY, and
   * those that gave no NOTIFY when {@code delayWarningWithoutNotify} is set. Recipients never tried
   * yet (no result to tell) wait for a later round. Completes with the recipients warned (none
   * when nothing was sent), once the warning is durably spooled; recording them is the caller's.
   */
  public Future<List<Integer>> warnIfDelayed(SpooledMessage message, MessageStatus status, Instant now,
      Instant expiry) {
    Envelope env = message.envelope();
    if (settings.delayWarning().isZero() || env.sender().isNullSender()
        || now.isBefore(env.received().plus(settings.delayWarning()))) {
      return Future.succeededFuture(List.of());
    }
    List<Integer> warned = new ArrayList<>();
    List<DsnBuilder.Item> items = new ArrayList<>();
    for (int i : status.pending()) {
      Envelope.Recipient r = env.recipients().get(i);
      RecipientResult last = status.result(i);
      if (last != null && !status.isWarned(i) && wantsDelay(r)) {
        warned.add(i);
        items.add(new DsnBuilder.Item(r.address(), r.parameters().orcpt(), last, false));
      }
    }
    if (items.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return bouncer.send(message, DsnBuilder.Kind.DELAYED, items, expiry).map(dsn -> {
      if (dsn != null) {
        log.info("{}: sender delay notification: {}", env.queueId(), dsn.queueId());
      }
      return warned;
    });
  }

  /**
   * The delivered recipients whose success is still to be reported: they asked with
   * NOTIFY=SUCCESS, and their message was delivered here or relayed to a host that does not offer
   * DSN (a host that does took the request on and reports itself). None for a message from
   * {@code <>}.
   */
  public List<Integer> successesDue(SpooledMessage message, MessageStatus status) {
    Envelope env = message.envelope();
    List<Integer> due = new ArrayList<>();
    if (env.sender().isNullSender()) {
      return due;
    }
    for (int i = 0; i < status.recipients(); i++) {
      RecipientResult r = status.result(i);
      if (r != null && r.outcome() == RecipientResult.Outcome.DELIVERED && !status.isSuccessReported(i)
          && r.success() != RecipientResult.Success.PASSED_ON
          && env.recipients().get(i).parameters().notifications().contains(RcptParameters.Notify.SUCCESS)) {
        due.add(i);
      }
    }
    return due;
  }

  /**
   * Sends one success report (RFC 3464 actions {@code delivered} and {@code relayed}) about the
   * {@link #successesDue} recipients. Completes with them (none when nothing was sent) once the
   * report is durably spooled; recording them is the caller's.
   */
  public Future<List<Integer>> reportSuccesses(SpooledMessage message, MessageStatus status) {
    Envelope env = message.envelope();
    List<Integer> due = successesDue(message, status);
    if (due.isEmpty()) {
      return Future.succeededFuture(due);
    }
    List<DsnBuilder.Item> items = new ArrayList<>();
    for (int i : due) {
      Envelope.Recipient r = env.recipients().get(i);
      items.add(new DsnBuilder.Item(r.address(), r.parameters().orcpt(), status.result(i), false));
    }
    return bouncer.send(message, DsnBuilder.Kind.SUCCESS, items, null).map(dsn -> {
      // Postfix's line for its success notices
      if (dsn != null) {
        log.info("{}: sender delivery status notification: {}", env.queueId(), dsn.queueId());
      }
      return due;
    });
  }

  /**
   * RFC 3461: without NOTIFY, failures are reported; NOTIFY=NEVER, or a list without FAILURE,
   * asks for no failure report.
   */
  private static boolean wantsFailure(Envelope.Recipient r) {
    Set<RcptParameters.Notify> notify = r.parameters().notifications();
    return notify.isEmpty() || notify.contains(RcptParameters.Notify.FAILURE);
  }

  /**
   * RFC 3461 leaves delay warnings to the MTA when no NOTIFY was given: Postino then warns only
   * when told to, as Postfix warns only when its delay_warning_time is set.
   */
  private boolean wantsDelay(Envelope.Recipient r) {
    Set<RcptParameters.Notify> notify = r.parameters().notifications();
    return notify.contains(RcptParameters.Notify.DELAY) || notify.isEmpty() && settings.delayWarningWithoutNotify();
  }

  /** A recipient's last result, or "expired" for one never tried before its time ran out. */
  public static RecipientResult resultOf(SpooledMessage message, MessageStatus status, int i) {
    RecipientResult r = status.result(i);
    return r != null ? r
        : new RecipientResult(message.envelope().recipients().get(i).address(), RecipientResult.Outcome.TRANSIENT, 451,
            "4.4.7", "delivery time expired", false, null, null);
  }

  private static String describe(SpooledMessage message, MessageStatus status, List<Integer> indices) {
    StringBuilder sb = new StringBuilder();
    for (int i : indices) {
      RecipientResult r = resultOf(message, status, i);
      sb.append(message.envelope().recipients().get(i).address().path()).append(' ')
          .append(r.code()).append(' ').append(r.text()).append("; ");
    }
    return sb.toString();
  }
}
