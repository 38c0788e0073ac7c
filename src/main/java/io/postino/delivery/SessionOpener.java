package io.postino.delivery;

import io.postino.smtp.ServerExtensions;
import io.postino.smtp.SmtpReply;
import io.postino.tlspolicy.DaneTrustManager;
import io.postino.tlspolicy.TlsPolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TrustOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * Opens a session ready for mail: connect, greeting, EHLO (HELO when EHLO is refused; LHLO for
 * LMTP, RFC 2033), STARTTLS
 * when offered or required then EHLO again, and AUTH PLAIN or LOGIN when the host has
 * credentials. Every refusal fails with a {@link HostException} so the caller tries the next host.
 *
 * <p>Opportunistic TLS that fails its handshake is retried once in plaintext on a new connection,
 * as Postfix does at security level "may": an unencrypted delivery beats none. With TLS required,
 * or certificates to verify, it is never retried in plaintext.
 *
 * <p>SECURITY: after the 220 to STARTTLS, anything the server sent along with it was sent in
 * plaintext ahead of TLS (CVE-2011-0411 class) and ends the session. After TLS the server's
 * extensions are read again and nothing learned before is trusted. Credentials are sent only
 * over TLS (unless configured otherwise) and never logged.
 */
final class SessionOpener {

  private final Vertx vertx;
  private final NetClient client;
  private final OutboundOptions options;
  private final ClientSSLOptions verifying;
  private final ClientSSLOptions trusting;
  private final PeerCheck peerCheck;

  SessionOpener(Vertx vertx, NetClient client, OutboundOptions options) {
    this.vertx = vertx;
    this.client = client;
    this.options = options;
    long handshake = options.getConnectTimeout().toMillis();
    ClientSSLOptions v = new ClientSSLOptions()
        .setHostnameVerificationAlgorithm("HTTPS")
        .setSslHandshakeTimeout(handshake)
        .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
    if (!options.getTrustedCertificates().isEmpty()) {
      PemTrustOptions trust = new PemTrustOptions();
      options.getTrustedCertificates().forEach(trust::addCertPath);
      v.setTrustOptions(trust);
    }
    this.verifying = v;
    this.peerCheck = new PeerCheck(vertx, options.getTrustedCertificates());
    this.trusting = new ClientSSLOptions()
        .setTrustAll(true)
        .setHostnameVerificationAlgorithm("")
        .setSslHandshakeTimeout(handshake)
        .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
  }

  /**
   * For a TLS session whose handshake did not verify the host (MTA-STS {@code testing}), what
   * verifying would have found: null when the certificate passes, else its RFC 8460 result type.
   */
  Future<String> checkPeer(SmtpConnection c) {
    return peerCheck.resultType(c.sslSession(), c.target().host());
  }

  /** A connection that has greeted, said EHLO, and met the policy. */
  Future<SmtpConnection> open(Target target, SessionPolicy policy) {
    boolean credentialsNeedTls = policy.credentials() != null && options.isAuthRequiresTls();
    return open(target, policy, !(policy.tls() instanceof TlsPolicy.Plaintext) || credentialsNeedTls);
  }

  private Future<SmtpConnection> open(Target target, SessionPolicy policy, boolean tls) {
    return SmtpConnection.connect(vertx, client, target).compose(c -> setUp(c, policy, tls).recover(e -> {
      c.quit();
      // falling back after a failed verification would make verifying pointless
      if (e instanceof TlsFallback && policy.fallsBackToPlaintext()) {
        return open(target, policy, false);
      }
      return Future.failedFuture(e instanceof TlsFallback f ? f.cause : e);
    }));
  }

  /** The TLS handshake failed where plaintext is allowed. */
  private static final class TlsFallback extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient Throwable cause;

    TlsFallback(Throwable cause) {
      super(cause.getMessage(), null, false, false);
      this.cause = cause;
    }
  }

  private Future<SmtpConnection> setUp(SmtpConnection c, SessionPolicy policy, boolean tls) {
    Duration timeout = options.getCommandTimeout();
    Target t = c.target();
    return c.greeting(timeout)
        .compose(greeting -> greeting.code() == 220 ? hello(c, policy)
            : refused(greeting))
        .compose(v -> tls && c.extensions().startTls() ? startTls(c, policy) : Future.succeededFuture())
        .compose(v -> {
          if (policy.tls().requiresTls() && !c.isTls()) {
            return Future.failedFuture(new HostException(Failure.temporary("4.7.4",
                "TLS is required (" + policy.tls().name() + "), but was not offered by host " + t),
                "starttls-not-supported"));
          }
          return policy.credentials() == null ? Future.succeededFuture() : authenticate(c, policy);
        })
        .map(c);
  }

  private Future<Void> hello(SmtpConnection c, SessionPolicy policy) {
    Duration timeout = options.getCommandTimeout();
    return c.command(hello(policy), timeout).compose(ehlo -> {
      if (ehlo.code() == 250) {
        c.extensions(ServerExtensions.parse(ehlo));
        return Future.succeededFuture();
      }
      // LMTP has no HELO to fall back to (RFC 2033 section 4.1)
      if (!ehlo.isPermanent() || policy.lmtp()) {
        return refused(ehlo);
      }
      return c.command("HELO " + policy.heloName(), timeout).compose(helo -> {
        if (helo.code() != 250) {
          return refused(helo);
        }
        c.extensions(ServerExtensions.NONE);
        return Future.succeededFuture();
      });
    });
  }

  private Future<Void> startTls(SmtpConnection c, SessionPolicy policy) {
    Target t = c.target();
    return c.command("STARTTLS", options.getCommandTimeout()).compose(reply -> {
      if (reply.code() != 220) {
        // a server that offers STARTTLS and then refuses it: plaintext, unless TLS is required
        return policy.tls().requiresTls()
            ? Future.failedFuture(new HostException(Failure.of(reply), "starttls-not-supported"))
            : Future.succeededFuture();
      }
      if (c.hasBufferedInput()) {
        return Future.failedFuture(new HostException(Failure.temporary("4.7.0",
            "host " + t + " sent plaintext after its reply to STARTTLS (injection attempt?)")));
      }
      return c.upgradeToTls(sslOptions(policy.tls()), t.host())
          .recover(e -> Future.failedFuture(new TlsFallback(
              new HostException(HostException.failureOf(e), TlsFailures.resultType(e)))))
          .compose(v -> c.command(hello(policy), options.getCommandTimeout()))
          .compose(ehlo -> {
            if (ehlo.code() != 250) {
              return refused(ehlo);
            }
            c.extensions(ServerExtensions.parse(ehlo));
            return Future.succeededFuture();
          });
    });
  }

  private Future<Void> authenticate(SmtpConnection c, SessionPolicy policy) {
    Target t = c.target();
    if (options.isAuthRequiresTls() && !c.isTls()) {
      return Future.failedFuture(new HostException(Failure.temporary("4.7.0",
          "not sending credentials to host " + t + " without TLS (it offers no STARTTLS)")));
    }
    Duration timeout = options.getCommandTimeout();
    OutboundOptions.Credentials creds = policy.credentials();
    Future<SmtpReply> done;
    if (c.extensions().authMechanisms().contains("PLAIN")) {
      done = c.secret("AUTH PLAIN " + base64("\0" + creds.username() + "\0" + creds.password()), timeout);
    } else if (c.extensions().authMechanisms().contains("LOGIN")) {
      done = c.command("AUTH LOGIN", timeout)
          .compose(r -> r.code() == 334 ? c.secret(base64(creds.username()), timeout) : Future.succeededFuture(r))
          .compose(r -> r.code() == 334 ? c.secret(base64(creds.password()), timeout) : Future.succeededFuture(r));
    } else {
      return Future.failedFuture(new HostException(Failure.temporary("4.7.0",
          "host " + t + " offers no AUTH PLAIN or LOGIN")));
    }
    return done.compose(reply -> reply.code() == 235 ? Future.succeededFuture()
        // Postfix's smtp_sasl_auth_soft_bounce: a refused login is a configuration problem to fix,
        // not a reason to bounce the mail
        : Future.failedFuture(new HostException(Failure.of(reply).asTemporary())));
  }

  /**
   * How the handshake checks the server: against the trusted authorities and the MX host name
   * (enforced WebPKI), against the host's TLSA records (DANE), or not at all (opportunistic TLS,
   * and MTA-STS {@code testing}, whose check is only reported).
   */
  private ClientSSLOptions sslOptions(TlsPolicy tls) {
    if (tls instanceof TlsPolicy.Dane d) {
      return daneOptions(d);
    }
    return tls instanceof TlsPolicy.Pkix p && p.enforced() ? verifying : trusting;
  }

  /**
   * The host's TLSA records instead of the trusted authorities, and no host name check by the TLS
   * stack: DANE-EE checks no name, and the DANE trust manager checks DANE-TA's names itself
   * (RFC 7672 section 3.2.3: the MX host or the domain, not only the name connected to).
   */
  private ClientSSLOptions daneOptions(TlsPolicy.Dane dane) {
    return new ClientSSLOptions()
        .setTrustOptions(TrustOptions.wrap(new DaneTrustManager(dane)))
        .setHostnameVerificationAlgorithm("")
        .setSslHandshakeTimeout(options.getConnectTimeout().toMillis())
        .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
  }

  /** EHLO, or LMTP's LHLO, with the name to greet with. */
  private static String hello(SessionPolicy policy) {
    return (policy.lmtp() ? "LHLO " : "EHLO ") + policy.heloName();
  }

  /** A refusal: the remote reply, as it is, is what the results report. */
  private static <T> Future<T> refused(SmtpReply reply) {
    return Future.failedFuture(new HostException(Failure.of(reply)));
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
