package io.postino.server.session;

import io.postino.server.ServerOptions;
import io.postino.smtp.Replies;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The time limits of one session, each with a named timer: the deadline timer (idle timeout,
 * command deadline, content deadline and minimum data rate), the greeting delay, the bound on the
 * greeting's wait for the DNS lists, and the grace period of a graceful close. Times are {@link System#nanoTime} values. Not thread-safe: one per
 * session, on its event loop.
 */
final class SessionClock {

  private static final Logger log = LoggerFactory.getLogger(SmtpSession.class);
  private static final long CLOSE_GRACE_MILLIS = 10_000;

  private final Vertx vertx;
  private final SmtpSession session;
  private final ServerOptions options;
  private final String clientIp;
  private final DataRateGuard dataRate;

  private long lastActivity;
  /** When the unfinished command line (or AUTH response) started arriving; -1 for none. */
  private long lineStart = -1;
  private long dataStart;

  private long deadlineTimer = -1;
  private long deadlineTimerDue;
  private long greetingTimer = -1;
  private long dnsWaitTimer = -1;
  private long closeGraceTimer = -1;
  private final Handler<Long> onDeadlineTimer = id -> onDeadlineTimer();

  SessionClock(Vertx vertx, SmtpSession session, ServerOptions options, String clientIp) {
    this.vertx = vertx;
    this.session = session;
    this.options = options;
    this.clientIp = clientIp;
    this.dataRate = new DataRateGuard(options.getMinDataRateGrace().toNanos(), options.getMinDataRate());
  }

  /** The client did something (or the server finished something for it): the idle time starts again. */
  void activity() {
    lastActivity = System.nanoTime();
  }

  /** Arms the deadline timer; once, when the session starts. */
  void start() {
    armDeadlineTimer();
  }

  /**
   * Delays the greeting as configured: false when there is no delay; otherwise {@code over} runs
   * when the delay is over.
   */
  boolean delayGreeting(Runnable over) {
    long delay = options.getGreetingDelay().toMillis();
    if (delay <= 0) {
      return false;
    }
    greetingTimer = vertx.setTimer(delay, id -> {
      greetingTimer = -1;
      over.run();
    });
    return true;
  }

  /**
   * The greeting waits for the DNS lists, at most {@code bound}: false when that is no wait at
   * all; otherwise {@code over} runs when the bound is reached.
   */
  boolean boundDnsWait(Duration bound, Runnable over) {
    long wait = bound.toMillis();
    if (wait <= 0) {
      return false;
    }
    dnsWaitTimer = vertx.setTimer(wait, id -> {
      dnsWaitTimer = -1;
      over.run();
    });
    return true;
  }

  /** A graceful close has begun: it waits for pending replies to be sent, never longer than this. */
  void startCloseGrace() {
    closeGraceTimer = vertx.setTimer(CLOSE_GRACE_MILLIS, id -> {
      closeGraceTimer = -1;
      session.closeGraceOver();
    });
  }

  /** A command line (or AUTH response) has started arriving: the command deadline runs from now. */
  void lineStarted() {
    if (lineStart < 0) {
      lineStart = System.nanoTime();
      deadlineAt(lineStart + options.getCommandDeadline().toNanos());
    }
  }

  void lineEnded() {
    lineStart = -1;
  }

  /** The content of a message (or a refused chunk) starts: its deadline and data rate count from now. */
  void contentStarted() {
    dataStart = System.nanoTime();
    dataRate.start(dataStart);
    deadlineAt(contentDeadline());
  }

  /** The next BDAT chunk of a message: the content's deadline applies again. */
  void contentContinued() {
    deadlineAt(contentDeadline());
  }

  /** Content arrived, towards the minimum data rate. */
  void received(long n) {
    dataRate.received(n);
  }

  /** The server kept the client waiting this long during content: the time does not count. */
  void excuse(long nanos) {
    dataRate.excuse(nanos);
  }

  /** The connection is closed: no timer fires any more. */
  void stop() {
    cancel(deadlineTimer);
    cancel(greetingTimer);
    cancel(dnsWaitTimer);
    cancel(closeGraceTimer);
  }

  private void cancel(long timer) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** The nearer of the content's deadline and the moment its data rate becomes too low. */
  private long contentDeadline() {
    return Math.min(dataStart + options.getDataDeadline().toNanos(), dataRate.deadline());
  }

  /**
   * One deadline timer per session, armed for the nearest deadline; activity only moves
   * timestamps, and a timer that fires early re-arms itself for what is left.
   */
  private void armDeadlineTimer() {
    long now = System.nanoTime();
    long next = lastActivity + options.getIdleTimeout().toNanos();
    if (lineStart >= 0) {
      next = Math.min(next, lineStart + options.getCommandDeadline().toNanos());
    }
    if (session.phase().readsContent()) {
      next = Math.min(next, contentDeadline());
    }
    armDeadlineTimerFor(now, next);
  }

  private void armDeadlineTimerFor(long now, long due) {
    long delayMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(due - now) + 1);
    deadlineTimerDue = due;
    deadlineTimer = vertx.setTimer(delayMs, onDeadlineTimer);
  }

  /**
   * Brings the timer forward when a new deadline falls before the one it is armed for; armed for
   * that deadline itself, as the phase it belongs to may not be entered yet.
   */
  private void deadlineAt(long due) {
    if (deadlineTimer >= 0 && due < deadlineTimerDue) {
      vertx.cancelTimer(deadlineTimer);
      armDeadlineTimerFor(System.nanoTime(), due);
    }
  }

  private void onDeadlineTimer() {
    deadlineTimer = -1;
    Phase phase = session.phase();
    if (phase.isClosing()) {
      return;
    }
    long now = System.nanoTime();
    Wait waiting = session.waiting();
    if (waiting == Wait.SERVER || waiting == Wait.SPOOL) {
      // waiting on the server, not the client: nothing to hold against the client
      lastActivity = now;
    } else if (waiting == Wait.CLIENT) {
      // a client that stopped reading its replies is as idle as one that stopped talking
      if (now - lastActivity >= options.getIdleTimeout().toNanos()) {
        session.timedOut(Replies.IDLE_TIMEOUT);
        return;
      }
    } else if (phase.readsContent() && now - dataStart >= options.getDataDeadline().toNanos()) {
      session.timedOut(Replies.DEADLINE_EXCEEDED);
      return;
    } else if (phase.readsContent() && dataRate.isTooSlow(now)) {
      log.info("connection from {}: content too slow: {}, below {} bytes/s after the {} s grace", clientIp,
          dataRate.achieved(now), options.getMinDataRate(), options.getMinDataRateGrace().toSeconds());
      session.timedOut(Replies.DATA_TOO_SLOW);
      return;
    } else if (lineStart >= 0 && now - lineStart >= options.getCommandDeadline().toNanos()) {
      session.timedOut(Replies.DEADLINE_EXCEEDED);
      return;
    } else if (now - lastActivity >= options.getIdleTimeout().toNanos()) {
      session.timedOut(Replies.IDLE_TIMEOUT);
      return;
    }
    armDeadlineTimer();
  }
}
