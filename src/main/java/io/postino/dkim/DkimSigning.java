package io.postino.dkim;

import io.postino.spool.Envelope;
import io.postino.spool.LeadingHeaders;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.List;
import java.util.function.Predicate;

/**
 * Which messages Postino signs with DKIM, and the signing itself ({@link #forMessage}): mail from
 * authenticated clients, mail made on this node ({@code postino.send}, reports), and, with
 * {@code dkim.signTrustedNetworks}, mail from trusted networks; each signed with the keys of its
 * author domain (the domain of {@code From:}) when that domain has keys configured. Thread-safe.
 */
public final class DkimSigning {

  private final Vertx vertx;
  private final DkimOptions options;
  private final SigningKeys keys;
  private final Predicate<byte[]> trusted;
  private final Clock clock;

  private DkimSigning(Vertx vertx, DkimOptions options, SigningKeys keys, Predicate<byte[]> trusted, Clock clock) {
    this.vertx = vertx;
    this.options = options;
    this.keys = keys;
    this.trusted = trusted;
    this.clock = clock;
  }

  /**
   * Reads the configured keys (on a worker) and starts watching their files; without domains,
   * signs nothing and watches nothing.
   *
   * @param trusted whether a client address (its octets) is in a trusted network
   */
  public static Future<DkimSigning> start(Vertx vertx, DkimOptions options, Predicate<byte[]> trusted) {
    DkimOptions copy = new DkimOptions(options);
    return SigningKeys.start(vertx, copy).map(keys -> new DkimSigning(vertx, copy, keys, trusted, Clock.systemUTC()));
  }

  /**
   * The signing of a message about to be spooled, or null when it is not to be signed (nothing is
   * without domains).
   *
   * @param local whether the message is made on this node rather than received over SMTP
   */
  public LeadingHeaders forMessage(Envelope envelope, boolean local) {
    boolean signed = !options.getDomains().isEmpty() && (local || envelope.authenticatedUser() != null
        || options.isSignTrustedNetworks() && trusted.test(addressBytes(envelope.clientAddress())));
    return signed ? new MessageSigning(vertx, envelope.queueId(), keys::of, options, clock) : null;
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
