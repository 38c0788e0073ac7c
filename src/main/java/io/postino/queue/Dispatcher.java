package io.postino.queue;

import io.postino.bus.Addresses;
import io.postino.bus.DeliveryJob;
import io.postino.bus.DeliveryReply;
import io.postino.bus.JobTaken;
import io.postino.bus.RecipientResult.Outcome;
import io.postino.bus.RecipientResult;
import io.postino.bus.Transport;
import io.postino.bus.TransportTable;
import io.postino.smtp.MailAddress;
import io.postino.spool.Envelope;
import io.postino.spool.SpooledMessage;
import io.netty.buffer.Unpooled;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Sends the recipients of one message on their way for one round: those the transport table
 * discards or refuses get their result at once; local recipients go to the {@link LocalTransport},
 * remote ones and those with an LMTP transport as {@link DeliveryJob}s on
 * {@code postino.delivery.submit}, one per domain (and LMTP server) and envelope sender (a copy an
 * alias forwards has its own, see {@link Envelope.Recipient#sender()}) and at most
 * {@code maxRecipientsPerJob} recipients each. Every part completes with a result for each of its recipients, never fails:
 * a local transport failure, a bus timeout or an unreadable reply is a transient result, and so
 * is a job given up because the node that took it left the cluster ({@link JobsInFlight}).
 *
 * <p>Jobs stay on this node unless {@code deliverAcrossCluster} is set. A job names this node and
 * the message ({@link DeliveryJob.Content#onNode}): a delivery verticle elsewhere reads the content
 * from this node's {@link SpoolReadService}, one on this node reads the spool file; or, for a
 * message the spool keeps in memory (a small one, until it needs a file) of at most
 * {@link #INLINE_LIMIT} octets, carries the content itself ({@link DeliveryJob.Content#inline}),
 * which may have no file to read yet. A larger one kept in memory gets its file first: a job waits
 * for its destination (a slow lookup, a connection limit) holding what it carries, outside the
 * spool's budget for what it keeps. As JSON (across a cluster) inline content costs about 2.4
 * times its size there (base64, and decoded): 3,000 jobs of 100 KiB messages held 760 MB. As the
 * record (within the process) it is the spool's own buffer, which the job keeps alive after the
 * spool has written the file and counted the memory free.
 */
final class Dispatcher {

  /** The most content octets a job carries itself (see above): 10,000 such jobs hold at most about 100 MB. */
  static final int INLINE_LIMIT = 4 * 1024;

  private final Vertx vertx;
  private final LocalTransport local;
  private final Addresses addresses;
  private final QueueOptions options;
  private final BiConsumer<String, String> noDeliveryNode;
  private final Consumer<String> deliveryNodeLeft;
  private final JobsInFlight jobs;
  private final TransportTable transports;
  private final String nodeId;
  private final Function<String, Future<Void>> materialize;

  /**
   * @param transports     the transport table: recipients it names go by their transport
   * @param noDeliveryNode   told of a message (and why) whose job no delivery verticle took or answered
   * @param nodeId           this queue's id, which serves the content of its jobs
   * @param jobs             the jobs sent across the cluster, watched for their node leaving
   * @param deliveryNodeLeft told of a message whose job was held by a node that left the cluster
   * @param materialize      gives a message the spool keeps in memory its file ({@link io.postino.spool.Spool#materialize})
   */
  Dispatcher(Vertx vertx, LocalTransport local, Addresses addresses, QueueOptions options, TransportTable transports,
      BiConsumer<String, String> noDeliveryNode, String nodeId, JobsInFlight jobs, Consumer<String> deliveryNodeLeft,
      Function<String, Future<Void>> materialize) {
    this.materialize = materialize;
    this.jobs = jobs;
    this.deliveryNodeLeft = deliveryNodeLeft;
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.transports = transports;
    this.local = local;
    this.addresses = addresses;
    this.options = options;
    this.noDeliveryNode = noDeliveryNode;
  }

  /**
   * One destination of a round: a domain, the envelope sender its copies go with, and the LMTP
   * server of its recipients' transport (or null).
   */
  private record Destination(String domain, String sender, Transport.Lmtp lmtp) {
  }

  /** The parts of a round for recipients {@code pending} (indices into the envelope). */
  List<Future<Map<Integer, RecipientResult>>> dispatch(SpooledMessage message, List<Integer> pending) {
    List<Envelope.Recipient> rcpts = message.envelope().recipients();
    List<Integer> locals = new ArrayList<>();
    // one job per destination and envelope sender: a copy an alias forwards has a sender of its own (SRS)
    Map<Integer, RecipientResult> decided = new LinkedHashMap<>();
    Map<Destination, List<Integer>> byDestination = new LinkedHashMap<>();
    for (int i : pending) {
      Envelope.Recipient r = rcpts.get(i);
      Transport t = transport(r);
      if (t instanceof Transport.Discard discard) {
        decided.put(i, discard.resultFor(r.address()));
      } else if (t instanceof Transport.Error error) {
        decided.put(i, error.resultFor(r.address()));
      } else if (t == null && r.local()) {
        locals.add(i);
      } else {
        byDestination.computeIfAbsent(new Destination(r.address().domainLowerCase(),
                message.envelope().senderFor(r).address(), (Transport.Lmtp) t),
            d -> new ArrayList<>()).add(i);
      }
    }
    List<Future<Map<Integer, RecipientResult>>> parts = new ArrayList<>();
    if (!decided.isEmpty()) {
      parts.add(Future.succeededFuture(decided));
    }
    if (!locals.isEmpty()) {
      parts.add(deliverLocally(message, locals));
    }
    int max = options.getMaxRecipientsPerJob();
    // one content for every job of the message: a larger one kept in memory is written once
    Future<DeliveryJob.Content> content = byDestination.isEmpty() ? null : content(message);
    byDestination.forEach((destination, indices) -> {
      for (int from = 0; from < indices.size(); from += max) {
        parts.add(submit(message, content, destination, indices.subList(from, Math.min(indices.size(), from + max))));
      }
    });
    return parts;
  }

  /**
   * The transport of a recipient, or null when its mail goes the usual way (Maildir, or SMTP to
   * its domain's route). A bare {@code <postmaster>} is always delivered here.
   */
  Transport transport(Envelope.Recipient r) {
    return r.address().isBarePostmaster() ? null : transports.lookup(r.address());
  }

  /** Whether {@code r} is delivered to a Maildir here (its log line says {@code relay=local}). */
  boolean deliversLocally(Envelope.Recipient r) {
    return r.local() && transport(r) == null;
  }

  /**
   * Whether the removal of a finished message must be durable: another server holds some of it
   * (SMTP or LMTP) and must not get it again after a crash. Maildir delivery is idempotent.
   */
  boolean handedToOthers(Envelope envelope) {
    return envelope.recipients().stream().anyMatch(r -> !r.local() || transport(r) instanceof Transport.Lmtp);
  }

  private Future<Map<Integer, RecipientResult>> deliverLocally(SpooledMessage message, List<Integer> indices) {
    List<Envelope.Recipient> all = message.envelope().recipients();
    List<Envelope.Recipient> rcpts = indices.stream().map(all::get).toList();
    long started = System.nanoTime();
    return local.deliver(message, rcpts).transform(ar -> {
      long took = (System.nanoTime() - started) / 1_000_000;
      Map<Integer, RecipientResult> results = new LinkedHashMap<>();
      for (int i : indices) {
        MailAddress address = all.get(i).address();
        results.put(i, (ar.succeeded()
            ? new RecipientResult(address, Outcome.DELIVERED, 250, "2.0.0", "delivered to mailbox", false, null, null)
            : transientFailure(address, "local delivery failed: " + ar.cause().getMessage())).timed(0, took));
      }
      return Future.succeededFuture(results);
    });
  }

  /**
   * In the job itself when the spool has it in memory (no file may exist yet) and it is small, else
   * named on this node, once it has its file.
   */
  private Future<DeliveryJob.Content> content(SpooledMessage message) {
    ByteBuffer memory = message.content();
    if (memory != null && memory.remaining() <= INLINE_LIMIT) {
      return Future.succeededFuture(DeliveryJob.Content.inline(BufferInternal.buffer(Unpooled.wrappedBuffer(memory))));
    }
    DeliveryJob.Content onNode = DeliveryJob.Content.onNode(nodeId, message.file().toString(), message.contentOffset(),
        message.contentLength());
    return memory == null ? Future.succeededFuture(onNode) : materialize.apply(message.queueId()).map(onNode);
  }

  private Future<Map<Integer, RecipientResult>> submit(SpooledMessage message, Future<DeliveryJob.Content> content,
      Destination destination, List<Integer> indices) {
    Envelope env = message.envelope();
    List<DeliveryJob.Recipient> rcpts = indices.stream()
        .map(i -> new DeliveryJob.Recipient(env.recipients().get(i).address(), env.recipients().get(i).parameters()))
        .toList();
    return content.transform(ar -> {
      if (ar.succeeded()) {
        return submit(message, destination, indices, rcpts, ar.result());
      }
      return Future.succeededFuture(byIndex(indices, k -> transientFailure(rcpts.get(k).address(),
          "delivery was not done: the message's spool file could not be written: " + ar.cause().getMessage())));
    });
  }

  private Future<Map<Integer, RecipientResult>> submit(SpooledMessage message, Destination destination,
      List<Integer> indices, List<DeliveryJob.Recipient> rcpts, DeliveryJob.Content content) {
    Envelope env = message.envelope();
    DeliveryJob job = new DeliveryJob(env.queueId(), destination.domain(),
        env.senderFor(env.recipients().get(indices.get(0))), env.mailParameters(), rcpts, content, destination.lmtp());
    long timeoutMillis = options.getDeliveryTimeout().toMillis();
    // the delivery side replies by the deadline whatever the destination does (it resets a
    // session that overruns it), so its result, a late success included, is recorded and the
    // recipients are never in two sessions at once; the margin covers the reply's way back
    DeliveryOptions timeout = new DeliveryOptions().setSendTimeout(timeoutMillis + Math.max(1000, timeoutMillis / 20))
        .setLocalOnly(!options.isDeliverAcrossCluster())
        .addHeader(DeliveryJob.DEADLINE_HEADER, Long.toString(System.currentTimeMillis() + timeoutMillis));
    JobsInFlight.Job tracked = options.isDeliverAcrossCluster() ? jobs.track() : null;
    if (tracked != null) {
      timeout.addHeader(JobTaken.ADDRESS_HEADER, tracked.address()).addHeader(JobTaken.JOB_HEADER, tracked.id());
    }
    // within the process the record itself (InProcessCodecs); across a cluster its JSON, which every version reads
    Future<DeliveryReply> reply = vertx.eventBus().request(addresses.deliverySubmit(),
            options.isDeliverAcrossCluster() ? job.toJson() : job, timeout)
        .map(m -> m.body() instanceof DeliveryReply r ? r : DeliveryReply.fromJson((JsonObject) m.body()));
    if (tracked != null) {
      reply.onComplete(ar -> jobs.done(tracked));
      reply = firstOf(reply, tracked.lost());
    }
    return reply
        .transform(ar -> {
          if (ar.succeeded() && ar.result().results().size() == indices.size()) {
            return Future.succeededFuture(byIndex(indices, ar.result().results()::get));
          }
          String why = whyNotDone(env.queueId(), ar);
          return Future.succeededFuture(byIndex(indices, k -> transientFailure(rcpts.get(k).address(), why)));
        });
  }

  /**
   * Why a job's recipients have no results from the delivery side (a reply with the wrong number of
   * them, or none); tells the queue of a delivery node that is missing or left with the job.
   */
  private String whyNotDone(String queueId, AsyncResult<DeliveryReply> reply) {
    if (reply.succeeded()) {
      return "delivery was not done: a reply with the wrong number of results";
    }
    if (reply.cause() instanceof NodeLeft left) {
      deliveryNodeLeft.accept(queueId);
      return left.getMessage();
    }
    String missing = missingDeliveryNode(reply.cause());
    if (missing == null) {
      return "delivery was not done: " + reply.cause().getMessage();
    }
    noDeliveryNode.accept(queueId, missing);
    return missing;
  }

  /** The result of each of a job's recipients, {@code result} of its position in the job, by its index in the envelope. */
  private static Map<Integer, RecipientResult> byIndex(List<Integer> indices, IntFunction<RecipientResult> result) {
    Map<Integer, RecipientResult> results = new LinkedHashMap<>();
    for (int k = 0; k < indices.size(); k++) {
      results.put(indices.get(k), result.apply(k));
    }
    return results;
  }

  /** The reply, or a {@link NodeLeft} failure when the node that took the job leaves first. */
  private static Future<DeliveryReply> firstOf(Future<DeliveryReply> reply, Future<String> lost) {
    Promise<DeliveryReply> first = Promise.promise();
    reply.onComplete(ar -> {
      if (ar.succeeded()) {
        first.tryComplete(ar.result());
      } else {
        first.tryFail(ar.cause());
      }
    });
    lost.onSuccess(why -> first.tryFail(new NodeLeft(why)));
    return first.future();
  }

  /** The node that had taken a job left the cluster before answering it. */
  private static final class NodeLeft extends RuntimeException {
    NodeLeft(String why) {
      super(why, null, false, false);
    }
  }

  /** Why a job failed when no delivery verticle took it or answered it; null for other failures. */
  private String missingDeliveryNode(Throwable failure) {
    if (failure instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS) {
      return "no delivery node: nothing consumes " + addresses.deliverySubmit()
          + (options.isDeliverAcrossCluster() ? " in the cluster" : " on this node");
    }
    if (failure instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
      return "no delivery node answered within " + options.getDeliveryTimeout().toSeconds() + " s";
    }
    return null;
  }

  private static RecipientResult transientFailure(MailAddress address, String why) {
    return transientFailure(address, "4.3.0", why);
  }

  /** A result of our own (not a remote server's) that is not final: 451 with {@code status}. */
  static RecipientResult transientFailure(MailAddress address, String status, String why) {
    return new RecipientResult(address, Outcome.TRANSIENT, 451, status, why, false, null, null);
  }
}
