package io.postino.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What a stop reports: {@link OpenSessions#stop}'s counts, whatever order the sessions answer in. */
@ExtendWith(VertxExtension.class)
class OpenSessionsTest {

  /**
   * A session with a message under way whose connection is closed as it is cut, its answer to the
   * cut coming after (as it does from the session's own event loop, later than the close handler).
   */
  private static final class ClosedBeforeItAnswers implements OpenSessions.Session {
    final Vertx vertx;
    final Promise<Void> closed = Promise.promise();

    ClosedBeforeItAnswers(Vertx vertx) {
      this.vertx = vertx;
    }

    @Override
    public Future<Boolean> stopWhenIdle() {
      return Future.succeededFuture(true);
    }

    @Override
    public Future<Boolean> stopNow() {
      closed.complete();
      // a late answer, not a wait: the stop must wait for it however late it is
      Promise<Boolean> answer = Promise.promise();
      vertx.setTimer(100, id -> answer.complete(true));
      return answer.future();
    }

    @Override
    public Future<Void> closed() {
      return closed.future();
    }
  }

  @Test
  void aSessionClosedAsItIsCutCountsAsCut(Vertx vertx) {
    OpenSessions sessions = new OpenSessions();
    ClosedBeforeItAnswers session = new ClosedBeforeItAnswers(vertx);
    sessions.join(session);

    OpenSessions.Stopped stopped = sessions.stop(vertx, Duration.ofMillis(1)).await();

    assertEquals(new OpenSessions.Stopped(0, 1, 1), stopped);
  }
}
