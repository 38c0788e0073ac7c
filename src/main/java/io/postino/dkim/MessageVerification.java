package io.postino.dkim;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.interfaces.RSAKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The DKIM verification of one message received over SMTP (RFC 6376 section 6): its signatures
 * (the first {@code maxSignatures}) are read from the header section as it streams past, each
 * one's body hash computed while the body streams on to the spool (never by reading it again),
 * and at the end of the message each key record fetched (cached, see {@link KeyRecords}) and the
 * signature checked; the results go in front of the message in one {@code Authentication-Results:}
 * field (RFC 8601) naming this server. Used on the spool writer's context.
 */
final class MessageVerification extends StreamedMessage {

  /** RFC 8301 section 3.2: verifiers do not accept RSA keys under 1024 bits. */
  static final int MIN_RSA_BITS = 1024;

  /** One signature being checked: parsed (or why not) and its body hash under way. */
  private record Check(SignatureField signature, String error, BodyHash body) {
  }

  private final String authservId;
  private final int maxSignatures;
  private final KeyRecords keys;
  private final Clock clock;
  private List<String> fields;
  private final List<Check> checks = new ArrayList<>();

  MessageVerification(String authservId, int maxSignatures, KeyRecords keys, Clock clock) {
    this.authservId = authservId;
    this.maxSignatures = maxSignatures;
    this.keys = keys;
    this.clock = clock;
  }

  @Override
  boolean headers(List<String> fields) {
    if (fields == null) {
      return false;
    }
    this.fields = fields;
    for (String f : fields) {
      if (checks.size() == maxSignatures) {
        break;
      }
      if (!f.substring(0, f.indexOf(':')).strip().equalsIgnoreCase("DKIM-Signature")) {
        continue;
      }
      try {
        SignatureField s = SignatureField.parse(f);
        checks.add(new Check(s, null, new BodyHash(s.body(), s.length())));
      } catch (IllegalArgumentException e) {
        checks.add(new Check(null, e.getMessage(), null));
      }
    }
    return checks.stream().anyMatch(c -> c.body() != null);
  }

  @Override
  void body(byte[] bytes, int offset, int length) {
    for (Check c : checks) {
      if (c.body() != null) {
        c.body().update(bytes, offset, length);
      }
    }
  }

  @Override
  public Future<Buffer> complete() {
    endOfMessage();
    if (fields == null) {
      return Future.succeededFuture(header(List.of("dkim=none (header section too large to check)")));
    }
    List<Future<String>> results = new ArrayList<>();
    for (Check c : checks) {
      results.add(c.signature() == null ? Future.succeededFuture("dkim=permerror (" + c.error() + ")") : verify(c));
    }
    if (results.isEmpty()) {
      return Future.succeededFuture(header(List.of("dkim=none")));
    }
    return Future.all(results).map(all -> header(all.<String>list()));
  }

  private Future<String> verify(Check c) {
    SignatureField s = c.signature();
    String props = " header.d=" + s.domain() + " header.s=" + s.selector() + " header.a=" + s.algorithm().tag()
        + " header.b=" + s.shortSignature();
    if (!MessageDigest.isEqual(c.body().digest(), s.bodyHash())) {
      return Future.succeededFuture("dkim=fail (body hash did not verify)" + props);
    }
    if (s.expiration() >= 0 && s.expiration() < clock.instant().getEpochSecond()) {
      return Future.succeededFuture("dkim=fail (signature expired)" + props);
    }
    return keys.lookup(s.selector(), s.domain()).map(found -> {
      if (found.key() == null) {
        return (found.temporary() ? "dkim=temperror (" : "dkim=permerror (") + found.error() + ")" + props;
      }
      if (found.key().algorithm() != s.algorithm()) {
        return "dkim=permerror (key type " + found.key().algorithm().keyType() + " does not fit a=" + s.algorithm().tag()
            + ")" + props;
      }
      if (found.key().key() instanceof RSAKey rsa && rsa.getModulus().bitLength() < MIN_RSA_BITS) {
        return "dkim=fail (weak key, " + rsa.getModulus().bitLength() + " bits)" + props;
      }
      byte[] data = SignatureBuilder.signedData(fields, s.names(), s.withoutB(), s.header());
      try {
        return (s.algorithm().verify(found.key().key(), data, s.signature()) ? "dkim=pass" : "dkim=fail (signature did not verify)")
            + props;
      } catch (GeneralSecurityException e) {
        return "dkim=fail (" + e.getMessage() + ")" + props;
      }
    });
  }

  /** The Authentication-Results field: this server, then each result on a line of its own. */
  private Buffer header(List<String> results) {
    StringBuilder sb = new StringBuilder("Authentication-Results: ").append(authservId.toLowerCase(Locale.ROOT));
    for (String r : results) {
      sb.append(";\r\n\t").append(r);
    }
    return Buffer.buffer(sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
  }
}
