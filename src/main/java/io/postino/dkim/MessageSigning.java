package io.postino.dkim;

import io.postino.spool.LeadingHeaders;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
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
 * section over {@value #MAX_HEADER_OCTETS} octets, a signing error) is stored unsigned, and the log
 * says why unless it simply has no key. Used on the spool writer's context.
 */
final class MessageSigning implements LeadingHeaders {

  private static final Logger log = LoggerFactory.getLogger(MessageSigning.class);

  /** Far above any real header section; what is held in memory per message at most. */
  static final int MAX_HEADER_OCTETS = 256 * 1024;

  private final Vertx vertx;
  private final String queueId;
  private final Function<String, List<DkimKey>> keysOf;
  private final DkimOptions options;
  private final Clock clock;
  private final HeaderSection headers = new HeaderSection(MAX_HEADER_OCTETS);
  private final byte[] scratch = new byte[8192];
  private List<String> fields;
  private List<DkimKey> keys;
  private BodyHash body;
  private boolean skipped;

  MessageSigning(Vertx vertx, String queueId, Function<String, List<DkimKey>> keysOf, DkimOptions options, Clock clock) {
    this.vertx = vertx;
    this.queueId = queueId;
    this.keysOf = keysOf;
    this.options = options;
    this.clock = clock;
  }

  @Override
  public void update(ByteBuffer content) {
    if (skipped) {
      return;
    }
    ByteBuffer in = content.duplicate();
    while (in.hasRemaining() && !skipped) {
      byte[] bytes;
      int offset;
      int length;
      if (in.hasArray()) {
        bytes = in.array();
        offset = in.arrayOffset() + in.position();
        length = in.remaining();
      } else {
        bytes = scratch;
        offset = 0;
        length = Math.min(scratch.length, in.remaining());
        in.duplicate().get(scratch, 0, length);
      }
      in.position(in.position() + length);
      update(bytes, offset, length);
    }
  }

  private void update(byte[] bytes, int offset, int length) {
    if (body != null) {
      body.update(bytes, offset, length);
      return;
    }
    int used = headers.update(bytes, offset, length);
    if (headers.isComplete()) {
      startBody();
      if (body != null) {
        body.update(bytes, offset + used, length - used);
      }
    }
  }

  /** The header section is complete: sign or not, and how. */
  private void startBody() {
    if (headers.overflowed()) {
      skip("its header section is over " + MAX_HEADER_OCTETS + " octets");
      return;
    }
    fields = headers.fields();
    String domain = AuthorDomain.of(fields);
    keys = domain == null ? List.of() : keysOf.apply(domain);
    if (keys.isEmpty()) {
      if (domain == null) {
        skip("it has no single From: address");
      } else {
        skipped = true;
      }
      return;
    }
    body = new BodyHash(options.getBodyCanonicalization());
  }

  private void skip(String why) {
    log.info("{}: not DKIM-signed: {}", queueId, why);
    skipped = true;
  }

  @Override
  public Future<Buffer> complete() {
    if (!skipped && body == null) {
      // the message ended within its header section: no body
      startBody();
    }
    if (skipped) {
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
