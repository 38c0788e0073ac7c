package io.postino.dkim;

import io.postino.authres.AuthResult;
import io.postino.authres.AuthorPolicy;
import io.postino.authres.Verdict;
import io.postino.dns.MxResolverOptions;
import io.postino.dns.TxtLookup;
import io.postino.mime.Resigner;
import io.postino.spool.Envelope;
import io.postino.spool.LeadingHeaders;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.List;
import java.util.function.Predicate;

/**
 * What DKIM does to a message as it enters Postino ({@link #forMessage}): signing of mail from
 * authenticated clients, mail made on this node ({@code postino.send}, reports), and, with
 * {@code dkim.signTrustedNetworks}, mail from trusted networks, each with the keys of its author
 * domain (the domain of {@code From:}) when that domain has keys configured; with
 * {@code dkim.verify} or DMARC ({@link #judgeAuthorsWith}), verification of every other message
 * received over SMTP. Thread-safe.
 */
public final class DkimIntake {

  private final Vertx vertx;
  private final DkimOptions options;
  private final SigningKeys keys;
  private final Predicate<byte[]> trusted;
  private final String hostname;
  private final KeyRecords records;
  private final Clock clock;
  /** DMARC, or null; set once, before any message comes. */
  private volatile AuthorPolicy authorPolicy;

  private DkimIntake(Vertx vertx, DkimOptions options, SigningKeys keys, Predicate<byte[]> trusted, String hostname,
      KeyRecords records, Clock clock) {
    this.vertx = vertx;
    this.options = options;
    this.keys = keys;
    this.trusted = trusted;
    this.hostname = hostname;
    this.records = records;
    this.clock = clock;
  }

  /**
   * Reads the configured keys (on a worker) and starts watching their files; without domains,
   * signs nothing and watches nothing.
   *
   * @param trusted  whether a client address (its octets) is in a trusted network
   * @param hostname this server's name: the authserv-id of the Authentication-Results it writes
   * @param dns      the DNS servers key records are fetched from
   */
  public static Future<DkimIntake> start(Vertx vertx, DkimOptions options, Predicate<byte[]> trusted, String hostname,
      MxResolverOptions dns) {
    DkimOptions copy = new DkimOptions(options);
    KeyRecords records = new KeyRecords(TxtLookup.create(vertx, dns), copy.getKeyCacheTtl());
    return SigningKeys.start(vertx, copy).map(keys -> new DkimIntake(vertx, copy, keys, trusted, hostname, records,
        Clock.systemUTC()));
  }

  /**
   * The signing or the verification of a message about to be spooled, or null for neither
   * (nothing is signed without domains, nothing verified without {@code dkim.verify}).
   *
   * @param local whether the message is made on this node rather than received over SMTP
   * @param known sender authentication results learnt before the content (DNS lists, SPF): a
   *              received message that is not signed here gets them in its
   *              {@code Authentication-Results:}, in front of its DKIM results
   */
  public LeadingHeaders forMessage(Envelope envelope, boolean local, List<AuthResult> known) {
    return forMessage(envelope, local, known, new Verdict());
  }

  /**
   * Checks the author domain of every message verified from now on with {@code policy} (DMARC),
   * which implies verification whatever {@code dkim.verify} says.
   */
  public void judgeAuthorsWith(AuthorPolicy policy) {
    this.authorPolicy = policy;
  }

  /**
   * As {@link #forMessage(Envelope, boolean, List)}, and a refusal of the message by the author
   * domain's policy goes to {@code verdict}.
   */
  public LeadingHeaders forMessage(Envelope envelope, boolean local, List<AuthResult> known, Verdict verdict) {
    boolean ours = local || envelope.authenticatedUser() != null
        || options.isSignTrustedNetworks() && trusted.test(addressBytes(envelope.clientAddress()));
    if (ours) {
      return options.getDomains().isEmpty() ? null
          : new MessageSigning(vertx, envelope.queueId(), keys::of, options, clock);
    }
    // as SPF, DMARC judges only what clients neither authenticated nor trusted send
    AuthorPolicy policy = authorPolicy == null || trusted.test(addressBytes(envelope.clientAddress())) ? null
        : authorPolicy;
    if (options.isVerify() || policy != null) {
      return new MessageVerification(hostname, options.getMaxSignatures(), records, clock, known,
          envelope.clientAddress(), policy, verdict);
    }
    return known.isEmpty() ? null : new KnownResults(hostname, known);
  }

  /**
   * Signs a message converted on its way out (8-bit to 7-bit, long lines re-encoded) as
   * {@link #forMessage} signs mail of this node's own, with the keys of its author domain now in
   * use: the signatures made at intake were over the original octets. Null when nothing is signed
   * here (no domains).
   */
  public Resigner resigner() {
    if (options.getDomains().isEmpty()) {
      return null;
    }
    return (id, message) -> {
      MessageSigning signing = new MessageSigning(vertx, id, keys::of, options, clock);
      byte[] block = new byte[64 * 1024];
      for (int n = message.read(block); n >= 0; n = message.read(block)) {
        signing.update(ByteBuffer.wrap(block, 0, n));
      }
      Buffer signatures = signing.completeHere();
      return signatures == null ? null : signatures.getBytes();
    };
  }

  /** The keys of a (lower-case) domain now in use. */
  public List<DkimKey> keys(String domain) {
    return keys.of(domain);
  }

  /** Reads the key files again now (they are also read when they change). */
  public Future<Void> reload() {
    return keys.reload();
  }

  /** Stops watching the key files. */
  public void close() {
    keys.close();
  }

  private static byte[] addressBytes(String ip) {
    try {
      // a numeric literal: InetAddress parses it without any lookup
      return InetAddress.getByName(ip).getAddress();
    } catch (UnknownHostException e) {
      return new byte[0];
    }
  }
}
