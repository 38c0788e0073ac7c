package io.postino.spool;

import io.vertx.core.Future;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits of messages that an application judges once they are in the spool (the data policy
 * reads the spooled file): from before the file can appear in {@code incoming} until the verdict,
 * the queue's scans do not see the message, so nothing is delivered that the client may yet hear
 * refused; and a refused message is removed durably (done record and directory synced) before the
 * refusal is given, so that no crash, not even a power loss, brings it back.
 *
 * <p>A refused message whose removal fails stays withheld from this process's queue and the
 * commit fails (the client hears 451): it may come back only after a restart, to a client told to
 * try again, never to one told the message was refused for good.
 *
 * <p>Thread-safe.
 */
final class JudgedCommit {

  private static final Logger log = LoggerFactory.getLogger(JudgedCommit.class);

  private final Set<String> withheld = ConcurrentHashMap.newKeySet();
  private final Function<SpooledMessage, Future<Void>> durableRemoval;

  JudgedCommit(Function<SpooledMessage, Future<Void>> durableRemoval) {
    this.durableRemoval = durableRemoval;
  }

  /** Whether the queue must not take this message in (yet). */
  boolean isWithheld(String queueId) {
    return withheld.contains(queueId);
  }

  <T> Future<T> commit(SpoolFileWriter writer, Function<SpooledMessage, Future<T>> verdict, Predicate<T> accepted) {
    String queueId = writer.queueId();
    withheld.add(queueId);
    return writer.commit().transform(committed -> {
      if (committed.failed()) {
        withheld.remove(queueId);
        return Future.failedFuture(committed.cause());
      }
      SpooledMessage message = committed.result();
      Future<T> judged;
      try {
        judged = verdict.apply(message);
      } catch (RuntimeException e) {
        judged = Future.failedFuture(e);
      }
      return judged.transform(ar -> {
        if (ar.succeeded() && accepted.test(ar.result())) {
          withheld.remove(queueId);
          return Future.succeededFuture(ar.result());
        }
        return durableRemoval.apply(message).transform(removed -> {
          if (removed.failed()) {
            log.error("{}: refused, but cannot be removed from the spool; withheld until a restart", queueId,
                removed.cause());
            return Future.failedFuture(removed.cause());
          }
          withheld.remove(queueId);
          return ar.succeeded() ? Future.succeededFuture(ar.result()) : Future.failedFuture(ar.cause());
        });
      });
    });
  }
}
