package io.postino.dkim;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DKIM signing of one message on its way to the spool: its header section is kept as it
 * streams past, and once it is complete the author domain chosen; with keys for that domain the
 * body is hashed as it streams on (nothing of it kept), and at commit each key's
 * {@code DKIM-Signature:} is made, on a worker when a key is RSA (milliseconds of CPU), and goes in
 * front of the message. A message that cannot be signed (no author domain, no key for it, a header
 * section over {@value StreamedMessage#MAX_HEADER_OCTETS} octets, a signing error) is stored
 * unsigned, and the log says why unless it simply has no key. Used on the spool writer's context.
 */
final class MessageSigning extends StreamedMessage {

  private static final Logger log = LoggerFactory.getLogger(MessageSigning.class);

  private final Vertx vertx;
  private final String queueId;
  private final Function<String, List<DkimKey>> keysOf;
  private final DkimOptions options;
  private final Clock clock;
  private List<String> fields;
  private List<DkimKey> keys;
  private BodyHash body;

  MessageSigning(Vertx vertx, String queueId, Function<String, List<DkimKey>> keysOf, DkimOptions options, Clock clock) {
    this.vertx = vertx;
    this.queueId = queueId;
    this.keysOf = keysOf;
    this.options = options;
    this.clock = clock;
  }

  @Override
  boolean headers(List<String> fields) {
    if (fields == null) {
      log.info("{}: not DKIM-signed: its header section is over {} octets", queueId, MAX_HEADER_OCTETS);
      return false;
    }
    this.fields = fields;
    String domain = AuthorDomain.of(fields);
    if (domain == null) {
      log.info("{}: not DKIM-signed: it has no single From: address", queueId);
      return false;
    }
    keys = keysOf.apply(domain);
    if (keys.isEmpty()) {
      return false;
    }
    body = new BodyHash(options.getBodyCanonicalization());
    return true;
  }

  @Override
  void body(byte[] bytes, int offset, int length) {
    body.update(bytes, offset, length);
  }

  @Override
  public Future<Buffer> complete() {
    endOfMessage();
    if (body == null) {
      return Future.succeededFuture();
    }
    byte[] bodyHash = body.digest();
    long now = clock.instant().getEpochSecond();
    long expires = options.getExpiration().isZero() ? -1 : now + options.getExpiration().toSeconds();
    boolean costly = keys.stream().anyMatch(k -> k.algorithm() == Algorithm.RSA_SHA256);
    if (!costly) {
      return Future.succeededFuture(sign(bodyHash, now, expires));
    }
    return vertx.executeBlocking(() -> sign(bodyHash, now, expires), false);
  }

  /** As {@link #complete()}, on the calling thread (a worker): the signatures, or null for none. */
  Buffer completeHere() {
    endOfMessage();
    if (body == null) {
      return null;
    }
    long now = clock.instant().getEpochSecond();
    long expires = options.getExpiration().isZero() ? -1 : now + options.getExpiration().toSeconds();
    return sign(body.digest(), now, expires);
  }

  /** Every key's signature, in the order the domain lists its keys; null if any cannot be made. */
  private Buffer sign(byte[] bodyHash, long now, long expires) {
    StringBuilder all = new StringBuilder(1024);
    try {
      for (DkimKey key : keys) {
        all.append(SignatureBuilder.sign(key, fields, bodyHash, options.getHeaderCanonicalization(),
            options.getBodyCanonicalization(), now, expires));
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      log.error("{}: not DKIM-signed: signing failed", queueId, e);
      return null;
    }
    return Buffer.buffer(all.toString().getBytes(StandardCharsets.ISO_8859_1));
  }
}
