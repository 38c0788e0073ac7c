package io.postino.intake;

import io.postino.authres.AuthResult;
import io.postino.authres.Verdict;
import io.postino.dkim.DkimIntake;
import io.postino.smtp.MailAddress;
import io.postino.spf.SpfCheck;
import io.postino.smtp.MailParameters;
import io.postino.smtp.RcptParameters;
import io.postino.smtp.SmtpReply;
import io.postino.smtp.SubmissionHeaders;
import io.postino.spool.Envelope;
import io.postino.spool.LeadingHeaders;
import io.postino.spool.Spool;
import io.postino.spool.SpoolWriter;
import io.postino.spool.SpooledMessage;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way a message enters Postino, whoever brings it (an SMTP session, {@code postino.send},
 * a report about another message): a queue id, an {@link Envelope} whose recipients are marked
 * local or relayed here and nowhere else (those of a message made here expanded first, see
 * {@link #expandWith}), a spool file that starts with the {@code Received:}
 * header (with DKIM signatures in front when {@link #signWith} selects the message), a commit (or a
 * commit judged by a policy), and the hand-off of the durable message to
 * the queue once its sender was told it is accepted.
 *
 * <p>Adds nothing per message on the way to the spool: the writer returned is the spool's own, so
 * content goes straight to it. Thread-safe; a writer is used on the context that opened it.
 */
public final class Intake {

  private static final Logger log = LoggerFactory.getLogger(Intake.class);

  /** The client address and protocol of a message made here (event bus, reports). */
  private static final String LOCAL_ADDRESS = "127.0.0.1";
  private static final String LOCAL_PROTOCOL = "LOCAL";

  private final Spool spool;
  private final String hostname;
  private final Predicate<String> isLocalDomain;
  private final Consumer<SpooledMessage> queue;
  /** Null without DKIM signing; set once, before any message comes. */
  private volatile DkimIntake dkim;
  /** Null without SPF verification; set once, before any message comes. */
  private volatile SpfCheck spf;
  /** Null until {@link #expandWith}: each recipient as addressed. */
  private volatile RecipientExpansion expansion;

  /**
   * @param hostname      this server's name, in the {@code Received:} headers it writes
   * @param isLocalDomain whether a (lower-case) domain is delivered here
   * @param queue         where a durable, accepted message goes next (the queue manager's door)
   */
  public Intake(Spool spool, String hostname, Predicate<String> isLocalDomain, Consumer<SpooledMessage> queue) {
    this.spool = Objects.requireNonNull(spool, "spool");
    this.hostname = Objects.requireNonNull(hostname, "hostname");
    this.isLocalDomain = Objects.requireNonNull(isLocalDomain, "isLocalDomain");
    this.queue = Objects.requireNonNull(queue, "queue");
  }

  /** Signs the messages {@code dkim} selects from now on (see {@link DkimIntake#forMessage}). */
  public void signWith(DkimIntake dkim) {
    this.dkim = dkim;
  }

  /**
   * Expands the recipients of the messages made here ({@link #localEnvelope}) with {@code expansion}
   * from now on, as the SMTP listener expands those it receives.
   */
  public void expandWith(RecipientExpansion expansion) {
    this.expansion = expansion;
  }

  /** Checks the senders of mail received over SMTP with SPF from now on. */
  public void checkSendersWith(SpfCheck spf) {
    this.spf = spf;
  }

  /** SPF at MAIL FROM, or null when it is off. */
  public SpfCheck spf() {
    return spf;
  }

  public String hostname() {
    return hostname;
  }

  /**
   * Whether the spool keeps its free-space reserve after a message of {@code declaredSize} octets
   * (-1: not declared), as last measured: cheap enough for every MAIL.
   */
  public boolean hasRoom(long declaredSize) {
    return spool.figures().space().hasRoom(declaredSize);
  }

  /** A new queue id for a message about to be opened. */
  public String newQueueId() {
    return spool.newQueueId();
  }

  /** Local or relay, decided here: a recipient in a local domain goes to its Maildir. */
  public boolean isLocal(MailAddress recipient) {
    return isLocalDomain.test(recipient.domainLowerCase());
  }

  /**
   * The envelope of a message made here rather than received over SMTP, each recipient expanded
   * (see {@link #expandWith}) into its copies, duplicates dropped as Postfix's cleanup does.
   *
   * @throws RefusedRecipients when the expansion refuses any recipient: the message is not to be
   *     made, for nobody or for fewer than were asked
   */
  public Envelope localEnvelope(String queueId, MailAddress sender, MailParameters parameters,
      List<MailAddress> recipients, String helo, Instant received) {
    RecipientExpansion expand = expansion;
    Map<String, Envelope.Recipient> rcpts = new LinkedHashMap<>();
    Map<MailAddress, SmtpReply> refused = new LinkedHashMap<>();
    for (MailAddress r : recipients) {
      RecipientExpansion.Outcome outcome = expand == null
          ? new RecipientExpansion.Copies(List.of(new Envelope.Recipient(r, RcptParameters.NONE, isLocal(r))))
          : expand.expand(sender, r);
      if (outcome instanceof RecipientExpansion.Refused no) {
        refused.put(r, no.reply());
      } else {
        for (Envelope.Recipient copy : ((RecipientExpansion.Copies) outcome).recipients()) {
          rcpts.putIfAbsent(copy.local() + copy.address().address().toLowerCase(Locale.ROOT), copy);
        }
      }
    }
    if (!refused.isEmpty()) {
      throw new RefusedRecipients(refused);
    }
    return new Envelope(queueId, sender, parameters, List.copyOf(rcpts.values()), helo, LOCAL_ADDRESS,
        LOCAL_PROTOCOL, null, received);
  }

  /**
   * Opens the spool file of a message received over SMTP, starting with its {@code Received:}
   * header (see {@link ReceivedHeader#format}).
   *
   * @param tls      the session's TLS parameters, or null without TLS
   * @param nameUser whether the header names the authenticated user, if any
   * @param known    sender authentication results learnt before the content (DNS lists, SPF), for
   *                 the message's {@code Authentication-Results:}
   * @throws IllegalArgumentException when the spool cannot take the envelope (see {@link Spool#create})
   */
  public SpoolWriter open(Envelope envelope, SSLSession tls, boolean nameUser, List<AuthResult> known) {
    return open(envelope, tls, nameUser, known, new Verdict());
  }

  /**
   * As {@link #open(Envelope, SSLSession, boolean, List)}; a check of the content that may refuse the
   * message (DMARC) says so in {@code verdict} before the commit completes.
   */
  public SpoolWriter open(Envelope envelope, SSLSession tls, boolean nameUser, List<AuthResult> known,
      Verdict verdict) {
    DkimIntake d = dkim;
    return spool.create(envelope, Buffer.buffer(ReceivedHeader.format(envelope, hostname, tls, nameUser)),
        d == null ? null : d.forMessage(envelope, false, known, verdict));
  }

  /**
   * Opens the spool file of a message whose content starts with {@code preamble} (null: none).
   *
   * @throws IllegalArgumentException when the spool cannot take the envelope
   */
  public SpoolWriter open(Envelope envelope, Buffer preamble) {
    return spool.create(envelope, preamble, signing(envelope, true, List.of()));
  }

  private LeadingHeaders signing(Envelope envelope, boolean local, List<AuthResult> known) {
    DkimIntake signing = dkim;
    return signing == null ? null : signing.forMessage(envelope, local, known);
  }

  /** Makes the message durable; the sender may be told it is accepted once this completes. */
  public Future<SpooledMessage> commit(SpoolWriter writer) {
    return writer.commit();
  }

  /**
   * Commits a message that {@code verdict} then judges, the queue kept away from it meanwhile
   * (see {@link Spool#commitJudged}): a message not {@code accepted} is durably removed before the
   * returned future completes.
   */
  public <T> Future<T> commitJudged(SpoolWriter writer, Function<SpooledMessage, Future<T>> verdict,
      Predicate<T> accepted) {
    return spool.commitJudged(writer, verdict, accepted);
  }

  /**
   * Makes sure a committed message has its spool file (see {@link Spool#materialize}): for a reader
   * given its path rather than its content.
   */
  public Future<Void> materialize(SpooledMessage message) {
    return spool.materialize(message.queueId());
  }

  /**
   * Hands a committed message, whose sender was told it is accepted, to the queue, and logs it:
   * every message that enters passes here, whoever brought it, so this is its one accept line.
   *
   * @param messageId its Message-ID field, or null when it has none
   */
  public void handOff(SpooledMessage message, String messageId) {
    log.info(acceptLine(message, messageId));
    queue.accept(message);
  }

  /**
   * {@code ID: from=<s>, size=N, nrcpt=N, message-id=<x>, proto=ESMTPSA, client=unknown[addr],
   * helo=<h>, user=u}: Postfix's qmgr line with what its cleanup line says, in one. The size is the
   * content's in the spool (the {@code Received:} header included), as Postfix counts it.
   */
  static String acceptLine(SpooledMessage message, String messageId) {
    Envelope e = message.envelope();
    StringBuilder sb = new StringBuilder(160).append(e.queueId()).append(": from=").append(e.sender().path())
        .append(", size=").append(message.contentLength()).append(", nrcpt=").append(e.recipients().size());
    if (messageId != null) {
      sb.append(", message-id=").append(messageId);
    }
    sb.append(", proto=").append(e.protocol());
    if (!LOCAL_PROTOCOL.equals(e.protocol())) {
      sb.append(", client=unknown[").append(e.clientAddress()).append(']');
    }
    if (e.helo() != null) {
      sb.append(", helo=<").append(e.helo()).append('>');
    }
    if (e.authenticatedUser() != null) {
      sb.append(", user=").append(e.authenticatedUser());
    }
    return sb.toString();
  }

  /** The Message-ID of a whole message in memory (see {@link SubmissionHeaders#messageId()}), or null. */
  public static String messageId(byte[] content) {
    SubmissionHeaders headers = SubmissionHeaders.reading((b, offset, length) -> { });
    headers.accept(content, 0, content.length);
    headers.finish();
    return headers.messageId();
  }

  /**
   * A whole message at once: opens it with {@code preamble} (null: none), writes {@code content}
   * and commits it. Failures, the spool's refusal of the envelope included, fail the future. Does
   * not hand it off: the caller does once it has told the sender.
   */
  public Future<SpooledMessage> store(Envelope envelope, Buffer preamble, Buffer content) {
    SpoolWriter writer;
    try {
      writer = open(envelope, preamble);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    writer.write(content);
    return commit(writer);
  }
}
