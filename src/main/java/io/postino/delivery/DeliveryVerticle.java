package io.postino.delivery;

import io.postino.bus.Addresses;
import io.postino.bus.DeliveryJob;
import io.postino.bus.DeliveryReply;
import io.postino.bus.SpoolRead;
import io.postino.bus.JobTaken;
import io.postino.mime.Resigner;
import io.postino.tlspolicy.DaneLookup;
import io.postino.tlspolicy.StsLookup;
import io.postino.tlspolicy.TlsPolicies;
import io.postino.tlspolicy.TlsReporter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Consumes {@code postino.delivery.submit}: each request is a {@link DeliveryJob}, each reply a
 * {@link io.postino.bus.DeliveryReply} with one result per recipient. Stateless between jobs
 * (idle connections aside), so any number of instances, on any nodes of a cluster, can share the
 * work: a job whose content is owned by a queue node of another process has it brought over the
 * bus first ({@link ContentFetch}), one of this process's queue is read from its spool file.
 *
 * <p>A request may carry a {@link DeliveryJob#DEADLINE_HEADER} header: the reply then comes by
 * that time, and no end of data is sent too late for its reply to come by then (see
 * {@link JobDeadline}); the recipients left without a result fail for now (4.4.7). A recipient
 * of a message already under way in this process is not run twice at once: it fails for now
 * (4.4.5).
 *
 * <p>Once its consumer is registered it publishes on {@code postino.delivery.ready}, so that a
 * queue holding jobs no delivery verticle answered tries them at once.
 *
 * <p>A job that asks for it ({@link JobTaken#ADDRESS_HEADER}) is acknowledged with this node's
 * cluster node id as soon as it is taken.
 *
 * <p>A request that is not a valid job is failed with {@code message.fail(400, reason)}.
 *
 * <p>SECURITY: a job may name a file whose octets are sent to a remote host. Whoever can send on
 * the event bus could otherwise have any file the process can read mailed out, so only files
 * under the configured content root (the spool directory) are read; any other path is refused
 * with 400. Content owned by another process is asked of its node by queue id, never by path.
 */
public class DeliveryVerticle extends VerticleBase {

  /** The failure code of a request that is not a valid job. */
  public static final int BAD_REQUEST = 400;

  private final Addresses addresses;
  private final OutboundOptions options;
  private final String heloName;
  private final Path contentRoot;
  private final Resigner resigner;
  private final TlsPolicies tlsPolicies;
  private final TlsReporter tlsReporter;
  private NetClient client;
  private ConnectionPool pool;
  private Courier courier;
  private Path fetched;

  /**
   * @param heloName    the name to greet with when the options name none (the server's host name)
   * @param contentRoot the directory every job's content must lie in; null allows any file
   */
  public DeliveryVerticle(Addresses addresses, OutboundOptions options, String heloName, Path contentRoot) {
    this(addresses, options, heloName, contentRoot, null);
  }

  /**
   * @param resigner signs again, over the converted octets, mail this node signed (DKIM) that is
   *                 converted on its way out (see {@link io.postino.mime.SevenBitConversion}); null
   *                 when nothing is signed here: such mail then goes as it is
   */
  public DeliveryVerticle(Addresses addresses, OutboundOptions options, String heloName, Path contentRoot,
      Resigner resigner) {
    this(addresses, options, heloName, contentRoot, resigner,
        new TlsPolicies(options.tlsSettings(), DaneLookup.NONE, StsLookup.NONE), TlsReporter.NONE);
  }

  /**
   * @param tlsPolicies decides the TLS policy of each MX host (DANE, MTA-STS, the configuration);
   *                    one for every instance, so that their caches are shared
   * @param tlsReporter hears of each TLS negotiation with an MX host (SMTP TLS reporting)
   */
  public DeliveryVerticle(Addresses addresses, OutboundOptions options, String heloName, Path contentRoot,
      Resigner resigner, TlsPolicies tlsPolicies, TlsReporter tlsReporter) {
    this.resigner = resigner;
    this.tlsPolicies = Objects.requireNonNull(tlsPolicies, "tlsPolicies");
    this.tlsReporter = Objects.requireNonNull(tlsReporter, "tlsReporter");
    this.addresses = Objects.requireNonNull(addresses, "addresses");
    this.options = new OutboundOptions(options);
    this.heloName = options.getHeloName() != null ? options.getHeloName() : Objects.requireNonNull(heloName, "heloName");
    this.contentRoot = contentRoot == null ? null : contentRoot.toAbsolutePath().normalize();
  }

  @Override
  public Future<?> start() {
    // one client for the verticle's life: Vert.x closes clients that become unreachable
    client = vertx.createNetClient(new NetClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, options.getConnectTimeout().toMillis())));
    pool = new ConnectionPool(vertx, options);
    Path root = contentRoot != null ? contentRoot : Path.of(System.getProperty("java.io.tmpdir"), "postino");
    fetched = root.resolve("fetched");
    courier = new Courier(vertx, addresses, options, heloName, pool, new SessionOpener(vertx, client, options),
        resigner, tlsPolicies, tlsReporter);
    // the limits every delivery verticle of the cluster shares: what other nodes say about them
    SharedLimits shared = SharedLimits.of(vertx);
    vertx.eventBus().<JsonObject>consumer(SharedLimits.THROTTLED_ADDRESS,
        m -> shared.throttles().heard(m.body()));
    vertx.eventBus().<String>consumer(SharedLimits.IDLE_WANTED_ADDRESS, m -> pool.closeIdle(m.body()));
    // once the consumer is known to the cluster, queues that deferred jobs for want of a delivery
    // verticle hear of it and try them at once instead of at their next attempt
    return vertx.executeBlocking(() -> cleanFetched(fetched), false)
        .compose(v -> vertx.eventBus().<Object>consumer(addresses.deliverySubmit(), this::handle).completion())
        .onSuccess(v -> vertx.eventBus().publish(addresses.deliveryReady(),
            new JsonObject().put("version", 1).put("helo", heloName)));
  }

  @Override
  public Future<?> stop() {
    pool.close();
    // the places this node keeps for its next deliveries go back now, not after their idle time
    return client.close().andThen(ar -> SharedLimits.of(vertx).permits().releaseIdle());
  }

  private void handle(Message<Object> message) {
    DeliveryJob job;
    // a job of a queue of this process comes as the record, and so goes its reply: that queue
    // registered the codecs of both with this Vert.x (InProcessCodecs)
    boolean record = message.body() instanceof DeliveryJob;
    try {
      if (record) {
        job = (DeliveryJob) message.body();
      } else if (message.body() instanceof JsonObject json) {
        job = DeliveryJob.fromJson(json);
      } else {
        throw new IllegalArgumentException("expected a JSON object");
      }
    } catch (RuntimeException e) {
      message.fail(BAD_REQUEST, "not a delivery job: " + e.getMessage());
      return;
    }
    DeliveryJob.Content content = job.content();
    boolean remote = content.data() == null && content.node() != null
        && (content.path() == null || !SpoolRead.servedHere(vertx, content.node()));
    if (!remote && content.data() == null
        && contentRoot != null && !Path.of(content.path()).toAbsolutePath().normalize().startsWith(contentRoot)) {
      message.fail(BAD_REQUEST, "content path outside " + contentRoot);
      return;
    }
    long deadline = Long.MAX_VALUE;
    String header = message.headers().get(DeliveryJob.DEADLINE_HEADER);
    if (header != null) {
      try {
        deadline = Long.parseLong(header.trim());
      } catch (NumberFormatException e) {
        message.fail(BAD_REQUEST, "bad " + DeliveryJob.DEADLINE_HEADER + " header: " + header);
        return;
      }
    }
    // before the session starts: the queue learns which node holds the job, to try it elsewhere if this node dies
    JobTaken.acknowledge(vertx, message);
    long by = deadline;
    Future<DeliveryReply> reply = !remote ? courier.deliver(job, deadline)
        : ContentFetch.fetch(vertx, addresses, job, fetched, options.getCommandTimeout(), deadline).transform(ar -> {
          if (ar.failed()) {
            Failure f = Failure.temporary("4.3.0", "cannot read message content from node " + content.node() + ": "
                + ar.cause().getMessage());
            return Future.succeededFuture(new DeliveryReply(job.queueId(), job.domain(),
                job.recipients().stream().map(r -> f.toResult(r.address(), null)).toList()));
          }
          DeliveryJob.Content local = ar.result();
          return courier.deliver(job.withContent(local), by).andThen(done -> {
            if (ContentFetch.isFetchedFile(local, fetched)) {
              vertx.fileSystem().delete(local.path());
            }
          });
        });
    reply.onComplete(ar -> {
      if (ar.succeeded()) {
        message.reply(record ? ar.result() : ar.result().toJson());
      } else {
        // Courier turns every failure into results; this is a bug, and the sender retries
        message.fail(500, String.valueOf(ar.cause()));
      }
    });
  }

  /**
   * Empties the directory of fetched content of what a process before this one left (files older
   * than this JVM; several instances start side by side and must not delete what another one has
   * just fetched). The directory is made by the first fetch that needs it: a delivery node leaves
   * the spool directory alone until then.
   */
  private static Void cleanFetched(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return null;
    }
    long started = ManagementFactory.getRuntimeMXBean().getStartTime();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        if (Files.getLastModifiedTime(f).toMillis() < started) {
          Files.deleteIfExists(f);
        }
      }
    }
    return null;
  }
}
