package io.postino.server.session;

import io.postino.server.OpenSessions;
import io.postino.smtp.Replies;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.function.Supplier;

/**
 * One session's part in a shutdown ({@link OpenSessions}): an idle session is told
 * {@code 421 4.3.2} and closed at once; one with a message under way (content arriving, a BDAT
 * message between chunks, a commit or a policy check in flight) is closed after the reply that
 * ends its message, or cut when the grace period is over, unless a commit is under way then (the
 * client gets its reply, then the 421). The calls from the shutdown run on the session's context.
 */
final class SessionStop implements OpenSessions.Session {

  private final SmtpSession session;
  private final ContentReception content;
  private final boolean implicitTls;
  private final Context context;
  private final Promise<Void> closed = Promise.promise();
  private boolean requested;

  SessionStop(SmtpSession session, ContentReception content, boolean implicitTls, Context context) {
    this.session = session;
    this.content = content;
    this.implicitTls = implicitTls;
    this.context = context;
  }

  @Override
  public Future<Boolean> stopWhenIdle() {
    return onContext(() -> {
      requested = true;
      if (session.phase().isClosing()) {
        return false;
      }
      boolean busy = busy();
      if (!busy) {
        stop();
      }
      return busy;
    });
  }

  @Override
  public Future<Boolean> stopNow() {
    return onContext(() -> {
      if (session.phase().isClosing() || session.waiting() == Wait.SERVER) {
        return false;
      }
      boolean cut = busy();
      stop();
      return cut;
    });
  }

  @Override
  public Future<Void> closed() {
    return closed.future();
  }

  /** The connection is closed. */
  void connectionClosed() {
    closed.tryComplete();
  }

  /**
   * Called whenever the session has handled its input: closes it when it was asked to stop and has
   * nothing under way any more. True when it closed.
   */
  boolean stopIfIdle() {
    if (!requested || session.phase().isClosing() || busy()) {
      return false;
    }
    stop();
    return true;
  }

  /** Whether a message is under way: content, a commit, a check the client waits for. */
  private boolean busy() {
    Wait w = session.waiting();
    return session.phase().readsContent() || content.isStoring() || w == Wait.SERVER || w == Wait.SPOOL;
  }

  private void stop() {
    Phase phase = session.phase();
    // plaintext in the middle of a TLS handshake (or before an implicit-TLS one) is no reply
    boolean tlsPending = phase == Phase.TLS_HANDSHAKE || phase == Phase.CONNECTED && implicitTls;
    if (!tlsPending) {
      session.reply(Replies.SHUTTING_DOWN);
    }
    session.close();
  }

  private <T> Future<T> onContext(Supplier<T> action) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> promise.complete(action.get()));
    return promise.future();
  }
}
