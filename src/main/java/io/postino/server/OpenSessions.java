package io.postino.server;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The SMTP sessions open on every listener of a node, so that a shutdown can stop them all in the
 * way RFC 5321 section 3.8 asks (a 421 before the close), and whether the node is stopping, so
 * that a listener answers new connections with {@code 421 4.3.2} instead of a session. One
 * instance serves every listener and event loop of a node: thread-safe.
 *
 * <p>A stop is in two steps. First every session is asked to stop: an idle one closes at once; one
 * receiving or committing a message (DATA, BDAT, a commit or a policy check under way) finishes it
 * and closes after its reply. When the grace period is over, what is still receiving content is
 * cut with a 421 (its unfinished message is thrown away, never acknowledged); a commit already
 * under way is let finish, so a message whose 250 is about to go out is never half-acknowledged.
 */
public final class OpenSessions {

  /** One session as a stop sees it; the calls may come from any thread, the session runs them on its own. */
  public interface Session {

    /**
     * Asked to stop: closes with 421 at once when idle, else after the message under way.
     * Succeeds with true when a message was under way. Calling it again does no harm.
     */
    Future<Boolean> stopWhenIdle();

    /** The grace period is over: closes with 421 unless a commit is under way; true when a message was cut. */
    Future<Boolean> stopNow();

    /** Completes once the connection is closed. */
    Future<Void> closed();
  }

  /**
   * What a stop did.
   *
   * @param idle      sessions closed at once
   * @param finishing sessions that had a message under way and were given the grace period
   * @param cut       of those, the ones still receiving content when it was over
   */
  public record Stopped(int idle, int finishing, int cut) {
  }

  private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
  private volatile boolean stopping;

  /** Whether a stop has begun: new connections are to be refused with 421 4.3.2. */
  public boolean isStopping() {
    return stopping;
  }

  /** Counts a new session in; one that comes in after a stop began is asked to stop at once. */
  public void join(Session session) {
    sessions.add(session);
    if (stopping) {
      session.stopWhenIdle();
    }
  }

  public void leave(Session session) {
    sessions.remove(session);
  }

  /** Sessions open now. */
  public int count() {
    return sessions.size();
  }

  /**
   * Stops every session: at once when idle, within {@code grace} when a message is under way.
   * Completes when every session is closed.
   */
  public Future<Stopped> stop(Vertx vertx, Duration grace) {
    stopping = true;
    List<Session> all = new ArrayList<>(sessions);
    AtomicInteger finishing = new AtomicInteger();
    AtomicInteger cut = new AtomicInteger();
    List<Future<Boolean>> asked = new ArrayList<>(all.size());
    List<Future<Void>> closed = new ArrayList<>(all.size());
    for (Session s : all) {
      asked.add(s.stopWhenIdle().onSuccess(busy -> {
        if (busy) {
          finishing.incrementAndGet();
        }
      }));
      closed.add(s.closed());
    }
    // counted once every cut has said so: a session may be closed (and its closed() complete)
    // before its stopNow() answers
    List<Future<Boolean>> cuts = new CopyOnWriteArrayList<>();
    long timer = vertx.setTimer(Math.max(1, grace.toMillis()), id -> {
      for (Session s : all) {
        if (sessions.contains(s)) {
          // listed before it is asked: its answer may come on its own event loop at once
          Promise<Boolean> answered = Promise.promise();
          cuts.add(answered.future());
          s.stopNow().onSuccess(wasCut -> {
            if (wasCut) {
              cut.incrementAndGet();
            }
          }).onComplete(answered);
        }
      }
    });
    return Future.join(asked).transform(ar -> Future.join(closed)).transform(ar -> {
      vertx.cancelTimer(timer);
      return Future.join(List.copyOf(cuts));
    }).transform(ar -> Future.succeededFuture(new Stopped(all.size() - finishing.get(), finishing.get(), cut.get())));
  }
}
