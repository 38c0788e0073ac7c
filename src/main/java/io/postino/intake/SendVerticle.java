package io.postino.intake;

import io.postino.bus.Addresses;
import io.postino.bus.RawMessage;
import io.postino.bus.SendReply;
import io.postino.bus.SendRequest;
import io.postino.bus.StructuredMessage;
import io.postino.smtp.MailAddress;
import io.postino.smtp.MailParameters;
import io.postino.smtp.MessageText;
import io.postino.spool.Envelope;
import io.postino.spool.SpooledMessage;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes {@code postino.send}: a {@link SendRequest} from code becomes a message in the spool,
 * with a {@code Received: from local (event bus)} trace header before its content, and the reply
 * ({@link SendReply}, the queue id) goes out once it is durable, exactly as the {@code 250} of an
 * SMTP session does. The message then goes to the queue like one the SMTP listener accepted:
 * recipients in a local domain to their Maildir, the others out through delivery.
 *
 * <p>Requests are read, checked and (structured ones) built on a worker thread, never on the
 * event loop; the limits are the SMTP listener's ({@code smtp.maxMessageSize},
 * {@code smtp.maxRecipients}), and so is the expansion of the recipients (aliases, see
 * {@link Intake#expandWith}). A request that is malformed, invalid or too large, or one with a
 * recipient the expansion refuses ({@link RefusedRecipients}), is failed with
 * {@link SendReply#BAD_REQUEST}; a spool that cannot take the message, with
 * {@link SendReply#SPOOL_FAILURE}, as is one that comes while {@value #MAX_IN_FLIGHT} requests, or
 * {@value #MAX_BYTES_IN_FLIGHT} octets of content, are already being prepared or spooled ("busy,
 * try again later"), so that a burst of requests cannot exhaust memory.
 *
 * <p>SECURITY: whoever can send on the event bus can send mail from any address to any address,
 * relayed with no authentication: the bus is trusted like a local submission program. Never let
 * untrusted parties on it. A clustered event bus is a trust boundary: every node that joins the
 * cluster can send here, so the cluster must be limited to trusted hosts on a private network.
 */
public final class SendVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(SendVerticle.class);

  /** How large a message from the bus may be, as over SMTP. */
  public record Limits(long maxMessageSize, int maxRecipients) {
  }

  /** A message ready to spool: its envelope, and its trace header and content in that order. */
  /** @param messageId its Message-ID, or null when a raw message has none */
  private record Prepared(Envelope envelope, Buffer received, Buffer content, String messageId) {
  }

  private final Intake intake;
  private final Addresses addresses;
  private final Limits limits;
  private final long maxBytesInFlight;
  /** Requests being prepared or spooled, and the octets of their content (event loop only). */
  private int inFlight;
  private long bytesInFlight;

  /** The most requests prepared or spooled at once; more are failed as busy. */
  static final int MAX_IN_FLIGHT = 256;
  /** The most content octets being spooled at once (at least one message of the largest size). */
  static final long MAX_BYTES_IN_FLIGHT = 128L * 1024 * 1024;

  /**
   * @param intake the node's intake: the spool, this server's name (trace header, Message-IDs),
   *               local or relay, and the queue's door
   */
  public SendVerticle(Intake intake, Addresses addresses, Limits limits) {
    this.intake = Objects.requireNonNull(intake, "intake");
    this.addresses = Objects.requireNonNull(addresses, "addresses");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.maxBytesInFlight = Math.max(MAX_BYTES_IN_FLIGHT, limits.maxMessageSize());
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<Object>consumer(addresses.send(), this::handle).completion();
  }

  private void handle(Message<Object> request) {
    if (!(request.body() instanceof JsonObject json)) {
      request.fail(SendReply.BAD_REQUEST, "not a send request: expected a JSON object");
      return;
    }
    if (inFlight >= MAX_IN_FLIGHT) {
      request.fail(SendReply.SPOOL_FAILURE, "busy, try again later");
      return;
    }
    inFlight++;
    String queueId = intake.newQueueId();
    vertx.executeBlocking(() -> prepare(json, queueId), false).onComplete(prepared -> {
      long size = prepared.succeeded()
          ? prepared.result().received().length() + prepared.result().content().length() : 0;
      if (prepared.succeeded() && bytesInFlight + size > maxBytesInFlight && bytesInFlight > 0) {
        inFlight--;
        request.fail(SendReply.SPOOL_FAILURE, "busy, try again later");
        return;
      }
      bytesInFlight += size;
      Runnable done = () -> {
        inFlight--;
        bytesInFlight -= size;
      };
      if (prepared.failed()) {
        done.run();
        Throwable cause = prepared.cause();
        if (cause instanceof RuntimeException) {
          request.fail(SendReply.BAD_REQUEST, "not a valid send request: " + cause.getMessage());
        } else {
          // not the request's fault (out of memory, say): it may go through later
          log.error("{}: cannot prepare a message from the event bus", queueId, cause);
          request.fail(SendReply.SPOOL_FAILURE, "cannot take the message now, try again later");
        }
        return;
      }
      Prepared p = prepared.result();
      intake.store(p.envelope(), p.received(), p.content()).onComplete(stored -> {
        done.run();
        if (stored.failed()) {
          log.error("{}: cannot spool a message from the event bus", queueId, stored.cause());
          request.fail(SendReply.SPOOL_FAILURE, "cannot spool the message, try again later");
          return;
        }
        request.reply(new SendReply(queueId).toJson());
        intake.handOff(stored.result(), p.messageId());
      });
    });
  }

  /** Reads and checks a request, and builds its content. Blocking work: on a worker. */
  private Prepared prepare(JsonObject json, String queueId) {
    SendRequest request = SendRequest.fromJson(json, limits.maxMessageSize());
    if (request.recipients().size() > limits.maxRecipients()) {
      throw new IllegalArgumentException("too many recipients: at most " + limits.maxRecipients());
    }
    Instant now = Instant.now();
    byte[] content;
    MailParameters.Body body;
    boolean smtpUtf8;
    String messageId;
    if (request instanceof RawMessage raw) {
      content = raw.content();
      body = raw.body();
      smtpUtf8 = raw.smtpUtf8();
      messageId = Intake.messageId(content);
    } else {
      messageId = "<" + queueId + "@" + intake.hostname() + ">";
      content = MessageComposer.compose((StructuredMessage) request, messageId, now);
      body = MessageText.hasEightBit(content) ? MailParameters.Body.EIGHT_BIT_MIME : MailParameters.Body.SEVEN_BIT;
      smtpUtf8 = request.sender().isInternationalized()
          || request.recipients().stream().anyMatch(MailAddress::isInternationalized);
    }
    if (content.length > limits.maxMessageSize()) {
      throw new IllegalArgumentException("message too large: " + content.length + " octets, at most "
          + limits.maxMessageSize());
    }
    byte[] received = ReceivedHeader.local(intake.hostname(), queueId, now);
    Envelope envelope = intake.localEnvelope(queueId, request.sender(),
        new MailParameters(received.length + content.length, body, smtpUtf8, null, null, null), request.recipients(),
        "local", now);
    return new Prepared(envelope, Buffer.buffer(received), Buffer.buffer(content), messageId);
  }
}
