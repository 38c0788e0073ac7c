package io.postino;

import io.postino.queue.QueueManager;
import io.postino.server.OpenSessions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first half of {@link Postino#close}: the listeners stop taking sessions and the queue stops
 * starting deliveries, both at once, each giving what is under way the grace period; then one log
 * line says what was done. Undeploying comes after.
 */
final class GracefulStop {

  private static final Logger log = LoggerFactory.getLogger(Postino.class);

  private GracefulStop() {
  }

  /**
   * @param sessions null without the listener role
   * @param queue    null without the queue role
   */
  static Future<Void> stop(Vertx vertx, String hostname, Duration grace, OpenSessions sessions, QueueManager queue) {
    long started = System.nanoTime();
    log.info("Postino {} stopping: no new sessions, {} s for the messages and deliveries under way", hostname,
        grace.toMillis() / 1000.0);
    Future<OpenSessions.Stopped> closed = sessions == null ? Future.succeededFuture() : sessions.stop(vertx, grace);
    Future<QueueManager.Stopped> stopped = queue == null ? Future.succeededFuture() : queue.stop(grace);
    return Future.join(closed, stopped).transform(ar -> {
      StringBuilder what = new StringBuilder();
      if (closed.succeeded() && closed.result() != null) {
        OpenSessions.Stopped s = closed.result();
        what.append(s.idle()).append(" idle session(s) closed, ")
            .append(s.finishing() - s.cut()).append(" finished their message, ")
            .append(s.cut()).append(" cut at the end of the grace period");
      }
      if (stopped.succeeded() && stopped.result() != null) {
        QueueManager.Stopped q = stopped.result();
        what.append(what.length() > 0 ? "; " : "")
            .append(q.underWay() - q.abandoned()).append(" delivery round(s) finished, ")
            .append(q.abandoned()).append(" abandoned (left in the spool for the next start)");
      }
      if (ar.failed()) {
        log.warn("Postino {} stopping: {}", hostname, ar.cause().toString());
      }
      log.info("Postino {} stopped in {} ms: {}", hostname, (System.nanoTime() - started) / 1_000_000, what);
      return Future.succeededFuture();
    });
  }
}
