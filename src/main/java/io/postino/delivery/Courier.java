package io.postino.delivery;

import io.postino.bus.Addresses;
import io.postino.bus.DeliveryJob;
import io.postino.bus.DeliveryReply;
import io.postino.bus.RecipientResult;
import io.postino.bus.TlsSummary;
import io.postino.bus.Transport;
import io.postino.mime.Resigner;
import io.postino.tlspolicy.Destination;
import io.postino.tlspolicy.TlsPolicies;
import io.postino.tlspolicy.TlsPolicy;
import io.postino.tlspolicy.TlsReporter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out delivery jobs: asks the MX resolver where the domain's mail goes ({@link RouteLookup}; unless
 * the job names its LMTP server), then
 * tries the host addresses in that order (RFC 5321 section 5.1) until every recipient has a final
 * answer: the next host after a connection failure, a timeout, a refused greeting or EHLO, a 4xx
 * to MAIL, a TLS or AUTH requirement not met; never after a host has answered for a recipient.
 * When every host failed, the recipients fail with the last host's reason: permanently only if
 * every host refused permanently, else for now (retry).
 *
 * <p>Sessions are borrowed from the {@link ConnectionPool} and given back for reuse; a reused one
 * found dead is replaced by a new connection to the same host, which does not count as a try.
 *
 * <p>The limits per domain and per host hold for the whole cluster ({@link SharedLimits}): a job
 * takes a place of its domain (fewer while the domain is throttled) and waits for its turn under
 * the domain's message rate, a new connection a place of its host and a turn under the domain's
 * connection rate. A remote reply that asks to slow down throttles the domain everywhere
 * ({@link Throttles}) before the job's reply goes back.
 */
final class Courier {

  private static final Logger log = LoggerFactory.getLogger(Courier.class);

  private final Vertx vertx;
  private final Addresses addresses;
  private final OutboundOptions options;
  private final String heloName;
  private final ConnectionPool pool;
  private final SessionOpener opener;
  private final KeyedLimiter domains = new KeyedLimiter();
  private final SharedLimits shared;
  /** "queueId recipient" of every delivery under way in this process, shared by all instances. */
  private final LocalMap<String, Boolean> underWay;
  private final Resigner resigner;
  private final TlsPolicies tlsPolicies;
  private final NegotiationReports reports;

  /**
   * @param resigner    signs again the mail this node signed once it is converted; or null
   * @param tlsPolicies decides the TLS policy of each MX host
   * @param tlsReporter hears of each TLS negotiation with an MX host
   */
  Courier(Vertx vertx, Addresses addresses, OutboundOptions options, String heloName, ConnectionPool pool,
      SessionOpener opener, Resigner resigner, TlsPolicies tlsPolicies, TlsReporter tlsReporter) {
    this.vertx = vertx;
    this.tlsPolicies = tlsPolicies;
    this.reports = new NegotiationReports(tlsReporter, opener);
    this.resigner = resigner;
    this.addresses = addresses;
    this.options = options;
    this.heloName = heloName;
    this.pool = pool;
    this.opener = opener;
    this.shared = SharedLimits.of(vertx);
    this.underWay = vertx.sharedData().getLocalMap("postino.delivery.under-way");
  }

  /** Delivers a job without a deadline; the future always succeeds, failures being results. */
  Future<DeliveryReply> deliver(DeliveryJob job) {
    return deliver(job, Long.MAX_VALUE);
  }

  /**
   * Delivers a job; the future always succeeds, failures being results, and does so by
   * {@code deadline} (epoch milliseconds), when the sender gives up on the job and will retry it:
   * see {@link JobDeadline}. Recipients without a result by then fail for now with
   * {@link JobDeadline#expired()}.
   */
  Future<DeliveryReply> deliver(DeliveryJob job, long deadline) {
    // one session at a time per recipient of a message, whatever the queue's timing: a recipient
    // already under way (for any instance of this process) is left out and waits for a retry
    List<String> claimed = new ArrayList<>();
    List<DeliveryJob.Recipient> free = new ArrayList<>();
    for (DeliveryJob.Recipient r : job.recipients()) {
      String key = job.queueId() + ' ' + r.address().path();
      if (underWay.putIfAbsent(key, Boolean.TRUE) == null) {
        claimed.add(key);
        free.add(r);
      }
    }
    if (free.size() == job.recipients().size()) {
      return run(job, deadline).onComplete(ar -> claimed.forEach(underWay::remove));
    }
    Future<DeliveryReply> partReply = free.isEmpty()
        ? Future.succeededFuture(new DeliveryReply(job.queueId(), job.domain(), List.of()))
        : run(job.withRecipients(free), deadline)
            .onComplete(ar -> claimed.forEach(underWay::remove));
    return partReply.map(reply -> {
      List<RecipientResult> results = new ArrayList<>();
      int next = 0;
      for (DeliveryJob.Recipient r : job.recipients()) {
        if (next < free.size() && free.get(next) == r) {
          results.add(reply.results().get(next++));
        } else {
          log.info("{}: to={}, already under way: left for a retry", job.queueId(), r.address().path());
          results.add(Failure.temporary("4.4.5", "a delivery of this message to this recipient is still under way")
              .toResult(r.address(), null));
        }
      }
      return new DeliveryReply(job.queueId(), job.domain(), results);
    });
  }

  private Future<DeliveryReply> run(DeliveryJob job, long deadline) {
    long started = System.nanoTime();
    String domain = job.domain().toLowerCase(Locale.ROOT);
    JobDeadline limit = JobDeadline.of(deadline, options.getDataTimeout());
    DestinationLimits.Domain own = options.getLimits().forDomain(domain, options.getMaxConnectionsPerDomain());
    return limit.bound(vertx, domains.acquire(domain, own.maxConnections()), v -> domains.release(domain))
        .compose(v -> limit.bound(vertx, admit(domain, own, limit), SlotPermits.Permit::release)
            .compose(permit -> limit.bound(vertx, targets(job), route -> { })
                .compose(targets -> new Run(job, domain, targets, limit, started).start(),
                    failure -> Future.succeededFuture(allFailed(job, HostException.failureOf(failure))))
                .onComplete(ar -> permit.release()),
              failure -> Future.succeededFuture(allFailed(job, HostException.failureOf(failure))))
            .onComplete(ar -> domains.release(domain)),
          failure -> Future.succeededFuture(allFailed(job, HostException.failureOf(failure))))
        .map(results -> new DeliveryReply(job.queueId(), job.domain(), results.stream()
            // a recipient no transaction answered spent its whole time getting nowhere
            .map(r -> r.setupMillis() == 0 && r.transferMillis() == 0 ? r.timed(millisSince(started), 0) : r)
            .toList()));
  }

  /**
   * The domain's place in the cluster (its limit halved per level of back-off), then the turn of
   * one message under its rate (halved likewise).
   */
  private Future<SlotPermits.Permit> admit(String domain, DestinationLimits.Domain own, JobDeadline limit) {
    // the level is known here unless a cluster's map must be asked: no future to wait for then
    Throttles.Level known = shared.throttles().knownLevel(domain);
    return known != null ? admit(domain, own, limit, known)
        : shared.throttles().level(domain).compose(level -> admit(domain, own, limit, level));
  }

  private Future<SlotPermits.Permit> admit(String domain, DestinationLimits.Domain own, JobDeadline limit,
      Throttles.Level level) {
    long period = options.getLimits().getThrottlePeriod().toMillis();
    long now = System.currentTimeMillis();
    Future<SlotPermits.Permit> place = shared.acquire(SharedLimits.DOMAIN_PLACES + domain,
        level.apply(own.maxConnections(), now, period), limit.contentBy(), null);
    if (own.messagesPerMinute() == 0) {
      return place;
    }
    return place.compose(permit -> shared.pace("postino.rate.messages." + domain,
            level.apply(own.messagesPerMinute(), now, period), limit.contentBy(), "message")
        .transform(ar -> {
          if (ar.failed()) {
            permit.release();
            return Future.failedFuture(ar.cause());
          }
          return Future.succeededFuture(permit);
        }));
  }

  /**
   * Before a new connection to {@code target}: the host's place in the cluster, held by the lease
   * (and asked of idle sessions elsewhere while none is free), then a turn under the domain's
   * connection rate.
   */
  private Future<Void> connectionAllowed(Target target, String domain, ConnectionPool.Lease lease,
      JobDeadline deadline) {
    String endpoint = target.endpoint();
    Future<Void> place = shared.acquire(SharedLimits.HOST_PLACES + endpoint, options.getMaxConnectionsPerHost(),
        deadline.contentBy(), () -> vertx.eventBus().publish(SharedLimits.IDLE_WANTED_ADDRESS, endpoint))
        .map(permit -> {
          lease.hold(permit);
          return null;
        });
    int perMinute = options.getLimits().forDomain(domain, 1).connectionsPerMinute();
    if (perMinute == 0) {
      return place;
    }
    return place.compose(v -> shared.throttles().level(domain)).compose(level -> shared.pace(
        "postino.rate.connections." + domain,
        level.apply(perMinute, System.currentTimeMillis(), options.getLimits().getThrottlePeriod().toMillis()),
        deadline.contentBy(), "connection"));
  }

  /**
   * Where the job's recipients go, in the order to try, each with its TLS policy: its LMTP server
   * (no MX lookup; STARTTLS when offered over TCP, unless {@code starttls} is off), or the
   * addresses of the domain's route, at most {@code maxConnectAttempts} of them, each host's policy
   * as the message asks (REQUIRETLS, {@code TLS-Required: No}: {@link RequireTls}).
   */
  private Future<List<Hop>> targets(DeliveryJob job) {
    Transport.Lmtp lmtp = job.lmtp();
    if (lmtp != null) {
      Target target = lmtp.isUnixSocket() ? Target.unixSocket(heloName, lmtp.socketPath())
          : new Target(lmtp.host(), lmtp.host(), lmtp.port());
      TlsPolicy tls = options.isStarttls() && !target.isUnixSocket() ? new TlsPolicy.Opportunistic()
          : new TlsPolicy.Plaintext();
      return Future.succeededFuture(List.of(new Hop(target, tls, null)));
    }
    return RouteLookup.resolve(vertx, addresses, job.domain(), options.getResolveTimeout().toMillis())
        .compose(tlsPolicies::forRoute).compose(destination -> RequireTls.demand(vertx, job, destination)
        .map(demand -> {
          List<Hop> hops = new ArrayList<>();
          for (Destination.HostPolicy host : destination.hosts()) {
            for (String address : host.host().addresses()) {
              if (hops.size() < options.getMaxConnectAttempts()) {
                hops.add(new Hop(new Target(host.host().name(), address, host.host().port()),
                    demand.apply(host.policy()), host.scope()));
              }
            }
          }
          return hops;
        }));
  }

  /** One job going through the hosts of its route. */
  private final class Run {
    final DeliveryJob job;
    final String domain;
    final List<Hop> targets;
    /** The back-off being recorded after replies that asked to slow down. */
    final List<Future<Void>> slowDowns = new ArrayList<>();
    final RecipientResult[] results;
    Failure last;
    Target lastTarget;
    boolean allPermanent = true;

    final JobDeadline deadline;
    /** When the job started, and when the current host was ready for MAIL ({@link System#nanoTime}). */
    final long started;
    long ready;

    /** The protection of the session that gave the last results. */
    TlsSummary tls;
    /** The message demands REQUIRETLS of every host (RFC 8689 section 4.2.1). */
    final boolean requireTls;

    Run(DeliveryJob job, String domain, List<Hop> targets, JobDeadline deadline, long started) {
      this.job = job;
      this.domain = domain;
      this.targets = targets;
      this.deadline = deadline;
      this.started = started;
      this.results = new RecipientResult[job.recipients().size()];
      this.requireTls = RequireTls.required(job);
    }

    Future<List<RecipientResult>> start() {
      // the other nodes slow down before this job's recipients are retried
      return next(0).compose(v -> Future.all(slowDowns).otherwiseEmpty()).map(v -> List.of(results));
    }

    private void heard(Failure f) {
      if (Throttles.asksToSlowDown(f)) {
        log.info("{}: {} asks to slow down ({} {} {}): throttling it", job.queueId(), domain, f.code(), f.status(),
            f.text());
        slowDowns.add(shared.throttles().slowDown(domain, options.getLimits().getThrottlePeriod().toMillis()));
      }
    }

    private Future<Void> next(int index) {
      List<Integer> pending = new ArrayList<>();
      for (int i = 0; i < results.length; i++) {
        if (results[i] == null) {
          pending.add(i);
        }
      }
      if (pending.isEmpty()) {
        return Future.succeededFuture();
      }
      if (index == targets.size()) {
        Failure f = last == null ? Failure.temporary("4.4.4", "no host address to deliver to") : last;
        Failure finalFailure = allPermanent ? f : f.asTemporary();
        for (int i : pending) {
          results[i] = finalFailure.toResult(job.recipients().get(i).address(), last == null ? null : lastTarget);
        }
        return Future.succeededFuture();
      }
      if (deadline.contentTimeUp()) {
        Failure f = JobDeadline.expired();
        for (int i : pending) {
          results[i] = f.toResult(job.recipients().get(i).address(), null);
        }
        return Future.succeededFuture();
      }
      Hop hop = targets.get(index);
      Target target = hop.target();
      List<DeliveryJob.Recipient> recipients = pending.stream().map(i -> job.recipients().get(i)).toList();
      return attempt(hop, recipients, true).transform(ar -> {
        if (ar.failed()) {
          failed(target, HostException.failureOf(ar.cause()));
          return next(index + 1);
        }
        MailTransaction.Outcome outcome = ar.result();
        long setup = (ready - started) / 1_000_000;
        long transfer = millisSince(ready);
        for (int k = 0; k < pending.size(); k++) {
          RecipientResult r = outcome.results().get(k);
          results[pending.get(k)] = r == null ? null : r.timed(setup, transfer).withTls(tls);
          if (r != null && r.outcome() == RecipientResult.Outcome.TRANSIENT) {
            heard(new Failure(false, r.code(), r.status(), r.text(), r.remote()));
          }
        }
        if (outcome.hostFailure() != null) {
          failed(target, outcome.hostFailure());
        }
        return next(index + 1);
      });
    }

    private void failed(Target target, Failure f) {
      // the recipients' lines are the queue's; this says why the next host is tried
      log.info("{}: host {} failed: {} {} {}", job.queueId(), target, f.code(), f.status(), f.text());
      last = f;
      lastTarget = target;
      allPermanent &= f.permanent();
      heard(f);
    }

    /**
     * One transaction with {@code target}. When a reused session turns out dead, it is tried once
     * more ({@code mayRetryStale}) over a new connection: another parked session may be as stale.
     */
    private Future<MailTransaction.Outcome> attempt(Hop hop, List<DeliveryJob.Recipient> recipients,
        boolean mayRetryStale) {
      if (deadline.contentTimeUp()) {
        return Future.failedFuture(new HostException(JobDeadline.expired()));
      }
      Target target = hop.target();
      if (hop.tls() instanceof TlsPolicy.Unusable u) {
        reports.failure(hop, u.resultType(), u.text(), null);
        return Future.failedFuture(new HostException(Failure.temporary(u.status(), u.text())));
      }
      ConnectionPool.Key key = new ConnectionPool.Key(target, policy(hop));
      // waited too long for a connection slot: it is given back untouched
      return deadline.bound(vertx, pool.acquire(key, !mayRetryStale), lease -> pool.release(lease, true)).compose(lease -> {
        Future<SmtpConnection> session = lease.reused() ? Future.succeededFuture(lease.connection())
            : connectionAllowed(target, domain, lease, deadline).compose(v -> opener.open(target, key.policy()))
                .onSuccess(lease::attach)
                .onSuccess(c -> reports.session(hop, c))
                .onFailure(e -> {
                  if (e instanceof HostException h && h.tlsResultType() != null) {
                    reports.failure(hop, h.tlsResultType(), h.getMessage(), null);
                  }
                })
                .recover(e -> Future.failedFuture(requireTls ? RequireTls.sessionFailure(e) : e));
        return deadline.bound(vertx, session, SmtpConnection::close)
            .compose(c -> {
              ready = System.nanoTime();
              Failure refused = requireTls ? RequireTls.refusal(hop.tls(), c) : null;
              if (refused != null) {
                // nothing sent: the session may serve other messages, and the next host is tried
                return Future.succeededFuture(new MailTransaction.Outcome(
                    Arrays.asList(new RecipientResult[recipients.size()]), refused, false, true));
              }
              DeliveryJob sent = RequireTls.asSent(job, hop.tls(), c);
              tls = RequireTls.summary(c.tlsSummary(hop.tls()), hop.tls(), sent);
              return MailTransaction.run(vertx, c, sent, recipients, lease.reused(), options, deadline, resigner);
            })
            // the domain's place (held by the caller) outlives the session: it waits for the close
            .transform(ar -> pool.release(lease, ar.succeeded() && ar.result().reusable())
                .transform(v -> ar.succeeded() ? Future.succeededFuture(ar.result()) : Future.failedFuture(ar.cause())))
            .compose(outcome -> outcome.stale() && mayRetryStale ? attempt(hop, recipients, false)
                : outcome.stale() ? Future.failedFuture(new ConnectionException("4.4.2", "lost connection with " + target))
                : Future.succeededFuture(outcome));
      });
    }
  }

  /** The protocol, TLS and AUTH of a session to {@code hop}. */
  private SessionPolicy policy(Hop hop) {
    Target target = hop.target();
    boolean lmtp = hop.scope() == null;
    return new SessionPolicy(lmtp, heloName, hop.tls(),
        lmtp && target.isUnixSocket() ? null : options.credentials(target.host()));
  }

  private static List<RecipientResult> allFailed(DeliveryJob job, Failure f) {
    return job.recipients().stream().map(r -> f.toResult(r.address(), null)).toList();
  }

  private static long millisSince(long nanoTime) {
    return (System.nanoTime() - nanoTime) / 1_000_000;
  }
}
