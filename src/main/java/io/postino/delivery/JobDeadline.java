package io.postino.delivery;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * When a job's reply is due (the queue's deadline, epoch milliseconds) and when the last octet of
 * content may go at the latest: early enough that the reply to it can still come before the
 * deadline. The queue gives up on a job and retries it at its deadline, so work that went on
 * past it could deliver twice, or find its success thrown away and the sender told "failed" for
 * mail that arrived. Hence nothing starts after the content cut-off, a transaction that has not
 * sent its end of data by then is reset, and the reply to the end of data is waited for only
 * until the deadline: the result reaches the queue in time, whatever the server does.
 *
 * @param replyBy   the queue's deadline; {@link Long#MAX_VALUE} for none
 * @param contentBy the end of data is never sent after this
 */
record JobDeadline(long replyBy, long contentBy) {

  static final JobDeadline NONE = new JobDeadline(Long.MAX_VALUE, Long.MAX_VALUE);

  /**
   * The deadline of a job received now: the content cut-off leaves the reply to the end of data
   * its {@code dataTimeout}, or half of the job's time when that is shorter.
   */
  static JobDeadline of(long replyBy, Duration dataTimeout) {
    if (replyBy == Long.MAX_VALUE) {
      return NONE;
    }
    long span = Math.max(0, replyBy - System.currentTimeMillis());
    return new JobDeadline(replyBy, replyBy - Math.min(dataTimeout.toMillis(), span / 2));
  }

  boolean isSet() {
    return replyBy != Long.MAX_VALUE;
  }

  /** True once no more content may be sent, nor a new attempt started. */
  boolean contentTimeUp() {
    return isSet() && System.currentTimeMillis() >= contentBy;
  }

  /** How long to wait for the reply to the end of data: {@code max}, but not past the deadline. */
  Duration replyWait(Duration max) {
    if (!isSet()) {
      return max;
    }
    return Duration.ofMillis(Math.max(1, Math.min(max.toMillis(), replyBy - System.currentTimeMillis())));
  }

  /** The failure of recipients whose job ran out of time: temporary, they are tried again. */
  static Failure expired() {
    return Failure.temporary("4.4.7", "delivery job reached its deadline before it finished");
  }

  /**
   * {@code work}, or a failure with {@link #expired()} once the content cut-off passes while it is
   * pending; what it brings later goes to {@code late} (to give back a slot or a connection).
   */
  <T> Future<T> bound(Vertx vertx, Future<T> work, Consumer<T> late) {
    if (!isSet() || work.isComplete()) {
      return work;
    }
    Promise<T> bounded = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, contentBy - System.currentTimeMillis()),
        id -> bounded.tryFail(new HostException(expired())));
    work.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.failed()) {
        bounded.tryFail(ar.cause());
      } else if (!bounded.tryComplete(ar.result())) {
        late.accept(ar.result());
      }
    });
    return bounded.future();
  }
}
