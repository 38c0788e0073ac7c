package io.postino.queue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of each spooled message once the client has its 250: hands local recipients to
 * the local transport, and removes the message from the spool when nothing is left to do.
 *
 * <p>Recipients in other domains stay in the spool for the outbound side. Local delivery is
 * idempotent, so a message found in the spool after a restart is simply processed again.
 */
public final class QueueManager {

  private static final Logger log = LoggerFactory.getLogger(QueueManager.class);
  public static final Duration DEFAULT_LOCAL_RETRY = Duration.ofMinutes(1);

  /** Delivers a message to local mailboxes; fails as a whole, to be retried as a whole. */
  @FunctionalInterface
  public interface LocalTransport {
    Future<Void> deliver(SpooledMessage message, List<Envelope.Recipient> recipients);
  }

  private final Vertx vertx;
  private final Spool spool;
  private final LocalTransport local;
  private final Duration localRetry;

  public QueueManager(Vertx vertx, Spool spool, LocalTransport local, Duration localRetry) {
    this.vertx = vertx;
    this.spool = spool;
    this.local = local;
    this.localRetry = localRetry;
  }

  /** Takes a message the server has just accepted. */
  public void accept(SpooledMessage message) {
    process(message);
  }

  /** Takes over the messages the spool found at start-up. */
  public void recover() {
    List<SpooledMessage> found = spool.recovered();
    if (!found.isEmpty()) {
      log.info("spool: resuming {} message(s) found at start-up", found.size());
    }
    found.forEach(this::process);
  }

  private void process(SpooledMessage message) {
    List<Envelope.Recipient> locals = message.envelope().localRecipients();
    Future<Void> delivered = locals.isEmpty() ? Future.succeededFuture() : local.deliver(message, locals);
    delivered.onComplete(ar -> {
      if (ar.failed()) {
        log.warn("{}: local delivery failed, retrying in {}s: {}", message.queueId(), localRetry.toSeconds(),
            ar.cause().toString());
        vertx.setTimer(Math.max(1, localRetry.toMillis()), id -> process(message));
        return;
      }
      if (message.envelope().remoteRecipients().isEmpty()) {
        spool.remove(message).onFailure(e -> log.warn("{}: cannot remove from spool: {}", message.queueId(), e.toString()));
      } else {
        log.info("{}: {} remote recipient(s) held in the spool for outbound delivery", message.queueId(),
            message.envelope().remoteRecipients().size());
      }
    });
  }
}
