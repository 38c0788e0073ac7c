package io.postino.server.session;

import io.postino.server.tls.TlsHandshake;
import io.postino.server.tls.TlsSupport;
import io.postino.smtp.Replies;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.net.NetSocket;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starting TLS on a session: STARTTLS (RFC 3207) or implicit TLS from the first byte (RFC 8314).
 * While the handshake runs the session is in {@link Phase#TLS_HANDSHAKE}; once it is done the
 * session starts afresh ({@link SmtpSession#tlsEstablished}).
 *
 * <p>SECURITY: whatever the client sent in plaintext after STARTTLS is discarded, never executed
 * (CVE-2011-0411), and so is plaintext that arrives during the handshake. If TLS cannot start,
 * STARTTLS gets 454 and the session goes on in plaintext; implicit TLS closes the connection.
 */
final class TlsUpgrade {

  private static final Logger log = LoggerFactory.getLogger(SmtpSession.class);

  private final SmtpSession session;
  private final TlsSupport support;
  private final NetSocket socket;
  private final Context context;
  private final Client client;
  private final Input input;
  private TlsHandshake handshake;

  /** @param support TLS as configured, or null when it is off (STARTTLS is then refused by the command table) */
  TlsUpgrade(SmtpSession session, TlsSupport support, NetSocket socket, Context context, Client client, Input input) {
    this.session = session;
    this.support = support;
    this.socket = socket;
    this.context = context;
    this.client = client;
    this.input = input;
  }

  void startTls() {
    if (client.tls() != null) {
      session.replyError(Replies.TLS_ALREADY_ACTIVE);
      return;
    }
    // SECURITY: commands pipelined after STARTTLS in plaintext are dropped, never run (CVE-2011-0411)
    int pipelined = input.skipAll();
    if (pipelined > 0) {
      log.info("{}: discarded {} bytes sent after STARTTLS in plaintext", client.name(), pipelined);
    }
    try {
      // before the 220 is written: the TLS handler lets that one write through in plaintext
      handshake = support.startTls(socket, context);
    } catch (RuntimeException e) {
      log.warn("{}: cannot start TLS: {}", client.name(), e.toString());
      session.reply(Replies.TLS_NOT_AVAILABLE);
      return;
    }
    session.reply(Replies.READY_FOR_TLS);
    session.enter(Phase.TLS_HANDSHAKE);
    handshake.future().onComplete(this::handshakeDone);
  }

  void beginImplicitTls() {
    try {
      handshake = support.implicitTls(socket, context);
    } catch (RuntimeException e) {
      log.warn("{}: cannot start TLS: {}", client.name(), e.toString());
      session.close();
      return;
    }
    session.enter(Phase.TLS_HANDSHAKE);
    handshake.future().onComplete(this::handshakeDone);
  }

  /** The handshake has finished, though its future's callback may not have run yet. */
  boolean isHandshakeComplete() {
    return handshake.isComplete();
  }

  /** The TLS parameters of the finished handshake; the handshake is then forgotten. */
  SSLSession established() {
    SSLSession tls = handshake.session();
    handshake = null;
    return tls;
  }

  private void handshakeDone(AsyncResult<SSLSession> ar) {
    if (session.phase().isClosing()) {
      return;
    }
    if (ar.failed()) {
      log.debug("{}: TLS handshake failed: {}", client.name(), ar.cause().toString());
      session.meters().tlsFailed();
      session.close();
      return;
    }
    session.tlsEstablished();
  }
}
