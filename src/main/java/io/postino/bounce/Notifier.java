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
 * Decides who is told what about a message's failures and delays, and has the reports sent:
 * one failure report (DSN) per round for the recipients that failed for good or ran out of time,
 * one delay warning per message when configured. A message from {@code <>} never causes a
 * report; a recipient that asked for none (RFC 3461 NOTIFY) is left out.
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
      if (wants(r, RcptParameters.Notify.FAILURE)) {
        items.add(new DsnBuilder.Item(r.address(), r.parameters().orcpt(), resultOf(message, status, i),
            expired.contains(i)));
      }
    }
    if (items.isEmpty()) {
      return Future.succeededFuture(false);
    }
    return bouncer.send(message, DsnBuilder.Kind.FAILED, items, null).map(dsn -> {
      // Postfix's line; the new id's own accept and delivery lines follow it
      log.info("{}: sender non-delivery notification: {}", env.queueId(), dsn.queueId());
      return false;
    });
  }

  /**
   * Sends the delay warning when it is configured and due and none went out yet. Completes with
   * true when one was sent.
   */
  public Future<Boolean> warnIfDelayed(SpooledMessage message, MessageStatus status, Instant now, Instant expiry) {
    Envelope env = message.envelope();
    if (settings.delayWarning().isZero() || status.isWarned() || env.sender().isNullSender()
        || now.isBefore(env.received().plus(settings.delayWarning()))) {
      return Future.succeededFuture(false);
    }
    List<DsnBuilder.Item> items = new ArrayList<>();
    for (int i : status.pending()) {
      Envelope.Recipient r = env.recipients().get(i);
      RecipientResult last = status.result(i);
      if (last != null && wants(r, RcptParameters.Notify.DELAY)) {
        items.add(new DsnBuilder.Item(r.address(), r.parameters().orcpt(), last, false));
      }
    }
    if (items.isEmpty()) {
      return Future.succeededFuture(false);
    }
    return bouncer.send(message, DsnBuilder.Kind.DELAYED, items, expiry).map(dsn -> {
      log.info("{}: sender delay notification: {}", env.queueId(), dsn.queueId());
      return true;
    });
  }

  /**
   * RFC 3461: without NOTIFY, failures are reported and delays may be; NOTIFY=NEVER, or a list
   * without the kind, asks for no report of that kind.
   */
  private static boolean wants(Envelope.Recipient r, RcptParameters.Notify kind) {
    Set<RcptParameters.Notify> notify = r.parameters().notifications();
    return notify.isEmpty() || notify.contains(kind);
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
