package io.postino.server.session;

import io.postino.authres.AuthResult;
import java.util.ArrayList;
import io.postino.bus.PolicyRequest;
import io.postino.dnsbl.Verdict;
import io.postino.smtp.SmtpReply;
import io.postino.spool.SpooledMessage;
import io.postino.smtp.MailAddress;
import java.util.List;
import javax.net.ssl.SSLSession;

/**
 * What a session knows about its client: the address it connects from and whether that is a
 * trusted network, then what it said in HELO/EHLO, its TLS parameters and the user it
 * authenticated as. All but the address is forgotten when TLS starts (RFC 3207 section 4.2).
 * Not thread-safe: one per session, on its event loop.
 */
final class Client {

  private final String ip;
  private final String name;
  private final boolean trusted;
  private String helo;
  private boolean esmtp;
  private SSLSession tls;
  private String user;
  private Verdict reputation;
  /** Sender authentication results learnt of the connection (DNS lists), for every message's header. */
  final List<AuthResult> results = new ArrayList<>();

  Client(String ip, int port, boolean trusted) {
    this.ip = ip;
    // no reverse lookup is made, so the name is always Postfix's "unknown"; the port tells
    // apart the sessions of one address
    this.name = "unknown[" + ip + "]:" + port;
    this.trusted = trusted;
  }

  String ip() {
    return ip;
  }

  /** {@code unknown[192.0.2.7]:50123}: the client as the log names it, Postfix's form. */
  String name() {
    return name;
  }

  /** The HELO/EHLO argument; null before the client has said either. */
  String helo() {
    return helo;
  }

  /** Whether the client said EHLO rather than HELO. */
  boolean esmtp() {
    return esmtp;
  }

  /** The TLS parameters; null without TLS. */
  SSLSession tls() {
    return tls;
  }

  /** The authenticated user; null when the client has not authenticated. */
  String user() {
    return user;
  }

  void hello(String domain, boolean extended) {
    helo = domain;
    esmtp = extended;
  }

  void authenticated(String name) {
    user = name;
  }

  /** TLS is up: whatever was learnt before it is forgotten. */
  void tlsStarted(SSLSession session) {
    tls = session;
    helo = null;
    esmtp = false;
    user = null;
  }

  /** In {@code trustedNetworks}. */
  boolean trusted() {
    return trusted;
  }

  /** What the DNS lists said of the client; null when they were not asked or have not answered yet. */
  Verdict reputation() {
    return reputation;
  }

  /** The DNS lists' verdict is in: its allow-list results go into every message's header. */
  void reputation(Verdict verdict) {
    reputation = verdict;
    results.addAll(verdict.authResults());
  }

  /**
   * Allow-listed by the DNS lists (a score at or below {@code smtp.dnsbl.allowThreshold}): the
   * checks that judge a client by its address (the greeting delay, block lists) let it pass.
   */
  boolean allowListed() {
    return reputation != null && reputation.allowListed();
  }

  /**
   * The reply to each recipient of a client whose DNS list score reaches the threshold, unless it
   * authenticated; null when its recipients may go on to the other checks.
   */
  SmtpReply blockedByDnsLists() {
    return reputation != null && reputation.blocked() && user == null ? reputation.refusal(ip) : null;
  }

  /** Trusted or authenticated: may send to other than local domains. */
  boolean mayRelay() {
    return trusted || user != null;
  }

  /** Clients neither authenticated nor trusted have their unfinished messages' spool space limited. */
  boolean spoolBudgeted() {
    return user == null && !trusted;
  }

  /** What an application's policy consumer is told; {@code message} only at the data stage. */
  PolicyRequest policyRequest(String stage, MailAddress sender, List<String> recipients, SpooledMessage message) {
    return new PolicyRequest(stage, ip, helo, user, sender.address(), recipients,
        message == null ? null : message.queueId(),
        message == null ? null : message.file().toAbsolutePath().toString(),
        message == null ? 0 : message.contentOffset(),
        message == null ? 0 : message.contentLength(),
        message == null ? List.of() : message.authResults());
  }
}
