package io.postino.spool;

import io.postino.bus.RecipientResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What is known about the recipients of one message beyond its envelope: each one's latest
 * delivery result, which ones are finished (delivered, or their failure reported to the sender),
 * how many delivery attempts were made, and which ones the sender was told of with a delay warning
 * or a success report (RFC 3461 NOTIFY=DELAY, NOTIFY=SUCCESS), so that neither goes out twice.
 *
 * <p>It lives in memory while the message is active and on disk as the message's status file:
 * one JSON object per line, appended as things happen, replayed at load time.
 *
 * <pre>{@code
 * {"r":0,"at":"2026-05-01T10:00:00Z","result":{"recipient":"bob@example.com","outcome":"delivered",...}}
 * {"r":1,"at":"2026-05-01T10:00:00Z","result":{"recipient":"eve@example.net","outcome":"permanent","code":550,...}}
 * {"finished":[1]}
 * {"attempt":1}
 * {"warned":[1]}
 * {"successReported":[0]}
 * {"retry":true}
 * }</pre>
 *
 * <p>{@code {"warned":true}}, written before warnings were kept per recipient, means every one.
 *
 * <p>A {@code retry} line (written when a held message is released) forgets the permanent
 * failures of the recipients not finished, so that they are tried again.
 *
 * <p>A line cut short by a crash (no final newline) or otherwise unreadable is ignored: it was
 * never fsync'd, so nothing was done on the strength of it. Not thread-safe.
 */
public final class MessageStatus {

  private static final Logger log = LoggerFactory.getLogger(MessageStatus.class);

  private final RecipientResult[] results;
  private final boolean[] finished;
  private final boolean[] warned;
  private final boolean[] successReported;
  private int attempts;

  public MessageStatus(int recipients) {
    this.results = new RecipientResult[recipients];
    this.finished = new boolean[recipients];
    this.warned = new boolean[recipients];
    this.successReported = new boolean[recipients];
  }

  /** Replays the lines of a status file. */
  public static MessageStatus replay(String queueId, int recipients, List<String> lines) {
    MessageStatus s = new MessageStatus(recipients);
    for (String line : lines) {
      try {
        s.apply(new JsonObject(line));
      } catch (RuntimeException e) {
        log.warn("{}: ignoring an unreadable status line: {}", queueId, e.toString());
      }
    }
    return s;
  }

  private void apply(JsonObject line) {
    if (line.containsKey("r")) {
      int i = line.getInteger("r");
      record(i, RecipientResult.fromJson(line.getJsonObject("result")));
    } else if (line.containsKey("finished")) {
      line.getJsonArray("finished").forEach(i -> finished[(Integer) i] = true);
    } else if (line.containsKey("attempt")) {
      attempts = Math.max(attempts, line.getInteger("attempt"));
    } else if (line.containsKey("warned")) {
      if (line.getValue("warned") instanceof JsonArray some) {
        some.forEach(i -> warned[(Integer) i] = true);
      } else {
        Arrays.fill(warned, true);
      }
    } else if (line.containsKey("successReported")) {
      line.getJsonArray("successReported").forEach(i -> successReported[(Integer) i] = true);
    } else if (line.containsKey("retry")) {
      retry();
    }
  }

  /** Records a result; a delivered recipient is finished at once. */
  public void record(int recipient, RecipientResult result) {
    results[recipient] = result;
    if (result.outcome() == RecipientResult.Outcome.DELIVERED) {
      finished[recipient] = true;
    }
  }

  public void finish(Collection<Integer> recipients) {
    recipients.forEach(i -> finished[i] = true);
  }

  /** Forgets the permanent failures not finished: those recipients are to be tried again. */
  public void retry() {
    for (int i = 0; i < results.length; i++) {
      if (isFailedUnreported(i)) {
        results[i] = null;
      }
    }
  }

  public void attempted() {
    attempts++;
  }

  public void warned(Collection<Integer> recipients) {
    recipients.forEach(i -> warned[i] = true);
  }

  public void successReported(Collection<Integer> recipients) {
    recipients.forEach(i -> successReported[i] = true);
  }

  public int recipients() {
    return results.length;
  }

  public RecipientResult result(int recipient) {
    return results[recipient];
  }

  /** Failed for good, but the sender not yet told (or told-not-needed not yet recorded). */
  public boolean isFailedUnreported(int recipient) {
    return !finished[recipient] && results[recipient] != null
        && results[recipient].outcome() == RecipientResult.Outcome.PERMANENT;
  }

  /** Neither finished nor failed for good: to be tried (again). */
  public boolean isPending(int recipient) {
    return !finished[recipient] && !isFailedUnreported(recipient);
  }

  public boolean allFinished() {
    for (boolean f : finished) {
      if (!f) {
        return false;
      }
    }
    return true;
  }

  public List<Integer> pending() {
    List<Integer> list = new ArrayList<>();
    for (int i = 0; i < results.length; i++) {
      if (isPending(i)) {
        list.add(i);
      }
    }
    return list;
  }

  public int attempts() {
    return attempts;
  }

  /** Whether the sender had a delay warning about this recipient. */
  public boolean isWarned(int recipient) {
    return warned[recipient];
  }

  /** Whether the sender had a success report about this recipient. */
  public boolean isSuccessReported(int recipient) {
    return successReported[recipient];
  }

  /** A recipient's result, with the time it was recorded (for the operator's history of it). */
  public static String resultLine(int recipient, RecipientResult result) {
    return new JsonObject().put("r", recipient).put("at", Instant.now().toString()).put("result", result.toJson())
        .encode() + "\n";
  }

  public static String finishedLine(Collection<Integer> recipients) {
    return new JsonObject().put("finished", new JsonArray(new ArrayList<>(recipients))).encode() + "\n";
  }

  public static String attemptLine(int attempt) {
    return new JsonObject().put("attempt", attempt).encode() + "\n";
  }

  public static String warnedLine(Collection<Integer> recipients) {
    return new JsonObject().put("warned", new JsonArray(new ArrayList<>(recipients))).encode() + "\n";
  }

  public static String successReportedLine(Collection<Integer> recipients) {
    return new JsonObject().put("successReported", new JsonArray(new ArrayList<>(recipients))).encode() + "\n";
  }

  public static String retryLine() {
    return new JsonObject().put("retry", true).encode() + "\n";
  }
}
