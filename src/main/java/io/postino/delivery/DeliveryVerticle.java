package io.postino.delivery;

import io.postino.bus.Addresses;
import io.postino.bus.DeliveryJob;
import io.postino.bus.JobTaken;
import io.postino.mime.Resigner;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Consumes {@code postino.delivery.submit}: each request is a {@link DeliveryJob}, each reply a
 * {@link io.postino.bus.DeliveryReply} with one result per recipient. Stateless between jobs
 * (idle connections aside), so any number of instances, on any nodes of a cluster that see the
 * spool directory at the same path, can share the work.
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
 * <p>SECURITY: a job names a file whose octets are sent to a remote host. Whoever can send on
 * the event bus could otherwise have any file the process can read mailed out, so only files
 * under the configured content root (the spool directory) are read; any other path is refused
 * with 400.
 */
public class DeliveryVerticle extends VerticleBase {

  /** The failure code of a request that is not a valid job. */
  public static final int BAD_REQUEST = 400;

  private final Addresses addresses;
  private final OutboundOptions options;
  private final String heloName;
  private final Path contentRoot;
  private final Resigner resigner;
  private NetClient client;
  private ConnectionPool pool;
  private Courier courier;

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
    this.resigner = resigner;
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
    courier = new Courier(vertx, addresses, options, heloName, pool, new SessionOpener(vertx, client, options),
        resigner);
    // once the consumer is known to the cluster, queues that deferred jobs for want of a delivery
    // verticle hear of it and try them at once instead of at their next attempt
    return vertx.eventBus().<Object>consumer(addresses.deliverySubmit(), this::handle).completion()
        .onSuccess(v -> vertx.eventBus().publish(addresses.deliveryReady(),
            new JsonObject().put("version", 1).put("helo", heloName)));
  }

  @Override
  public Future<?> stop() {
    pool.close();
    return client.close();
  }

  private void handle(Message<Object> message) {
    DeliveryJob job;
    try {
      if (!(message.body() instanceof JsonObject json)) {
        throw new IllegalArgumentException("expected a JSON object");
      }
      job = DeliveryJob.fromJson(json);
    } catch (RuntimeException e) {
      message.fail(BAD_REQUEST, "not a delivery job: " + e.getMessage());
      return;
    }
    if (contentRoot != null && !Path.of(job.content().path()).toAbsolutePath().normalize().startsWith(contentRoot)) {
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
    courier.deliver(job, deadline).onComplete(ar -> {
      if (ar.succeeded()) {
        message.reply(ar.result().toJson());
      } else {
        // Courier turns every failure into results; this is a bug, and the sender retries
        message.fail(500, String.valueOf(ar.cause()));
      }
    });
  }
}
