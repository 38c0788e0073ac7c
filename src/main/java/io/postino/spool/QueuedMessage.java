package io.postino.spool;

import io.postino.bus.RecipientResult;
import io.postino.smtp.MailAddress;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * One message of a queue listing, as {@code mailq} shows it: what is known from its envelope,
 * its status file and where its file lies, at the moment it was read.
 *
 * @param active      in the queue manager's memory (being delivered, or about to be)
 * @param size        the content's octets
 * @param nextAttempt when it is next due; null on hold
 * @param attempts    delivery rounds made so far
 */
public record QueuedMessage(String queueId, State state, long size, Instant arrival, MailAddress sender,
    List<Recipient> recipients, Instant nextAttempt, int attempts) {

  /** A message's state: the first that applies of hold, active, deferred (a recipient is), pending. */
  public enum State {
    HOLD, ACTIVE, DEFERRED, PENDING;

    public String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Where one recipient stands. */
  public enum RecipientState {
    /** Not tried yet. */
    PENDING,
    /** Its last attempt failed for now: to be retried. */
    DEFERRED,
    /** Not finished, in a message on hold. */
    HOLD,
    /** Not finished, in a message being delivered. */
    ACTIVE,
    /** Refused for good; the sender's report is still to be sent. */
    FAILED,
    /** Refused for good (or expired) and reported. */
    BOUNCED,
    DELIVERED;

    public boolean isFinished() {
      return this == BOUNCED || this == DELIVERED;
    }

    public String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A recipient, its state and its last result (null when never tried). */
  public record Recipient(MailAddress address, RecipientState state, RecipientResult last) {

    public JsonObject toJson() {
      JsonObject json = new JsonObject().put("address", address.address()).put("state", state.jsonName());
      if (last != null) {
        json.put("lastError", last.outcome() == RecipientResult.Outcome.DELIVERED ? null
            : last.code() + " " + last.status() + " " + last.text());
        json.put("last", last.toJson());
      }
      return json;
    }
  }

  public QueuedMessage {
    recipients = List.copyOf(recipients);
  }

  /** The JSON of the admin API ({@code GET /api/queue}) and of {@code postino queue list --json}. */
  public JsonObject toJson() {
    JsonArray rcpts = new JsonArray();
    recipients.forEach(r -> rcpts.add(r.toJson()));
    return new JsonObject()
        .put("id", queueId)
        .put("state", state.jsonName())
        .put("size", size)
        .put("arrival", arrival.toString())
        .put("sender", sender.address())
        .put("recipients", rcpts)
        .put("nextAttempt", nextAttempt == null ? null : nextAttempt.toString())
        .put("attempts", attempts);
  }
}
