package io.postino.dkim;

import io.postino.authres.AuthResult;
import io.postino.authres.AuthenticationResults;
import io.postino.authres.AuthorPolicy;
import io.postino.authres.Verdict;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The DKIM verification of one message received over SMTP (RFC 6376 section 6): its signatures
 * (the first {@code maxSignatures}) are read from the header section as it streams past, each
 * one's body hash computed while the body streams on to the spool (never by reading it again),
 * and at the end of the message each key record fetched (cached, see {@link KeyRecords}) and the
 * signature checked; the results go in front of the message in one {@code Authentication-Results:}
 * field (RFC 8601) naming this server, with DMARC's result (and refusal, or quarantine mark) when an
 * {@link AuthorPolicy} is given. Used on the spool writer's context.
 */
final class MessageVerification extends StreamedMessage {

  /** One signature being checked: parsed (or why not) and its body hash under way. */
  private record Check(SignatureField signature, String error, BodyHash body) {
  }

  private final String authservId;
  private final int maxSignatures;
  private final KeyRecords keys;
  private final Clock clock;
  private List<String> fields;
  private final List<Check> checks = new ArrayList<>();

  private final List<AuthResult> known;
  private final AuthorPolicy policy;
  private final Verdict verdict;
  private final String clientIp;
  /** What its Authentication-Results field records, once complete. */
  private List<AuthResult> recorded = List.of();
  /** The message's ARC chain, checked alongside its DKIM signatures. */
  private ArcVerification arc;

  /**
   * @param clientIp the client's address, for ARC's {@code smtp.remote-ip}
   * @param policy   asked once the signatures are checked (DMARC), or null
   * @param verdict  where the policy's refusal goes
   */
  MessageVerification(String authservId, int maxSignatures, KeyRecords keys, Clock clock, List<AuthResult> known,
      String clientIp, AuthorPolicy policy, Verdict verdict) {
    this.known = List.copyOf(known);
    this.clientIp = clientIp;
    this.policy = policy;
    this.verdict = verdict;
    if (policy != null) {
      verdict.expect();
    }
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
    arc = new ArcVerification(fields, keys, clientIp);
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
    return arc.wantsBody() || checks.stream().anyMatch(c -> c.body() != null);
  }

  @Override
  void body(byte[] bytes, int offset, int length) {
    for (Check c : checks) {
      if (c.body() != null) {
        c.body().update(bytes, offset, length);
      }
    }
    arc.body(bytes, offset, length);
  }

  @Override
  public Future<Buffer> complete() {
    return results().compose(dkim -> {
      List<AuthResult> all = new ArrayList<>(known);
      all.addAll(dkim);
      if (policy == null) {
        return Future.succeededFuture(field(all, null));
      }
      return policy.evaluate(fields == null ? null : AuthorDomain.of(fields), all).map(outcome -> {
        all.addAll(outcome.results());
        if (outcome.disposition() == AuthorPolicy.Disposition.REJECT) {
          verdict.refuse(outcome.reason());
        }
        return field(all, policy.quarantineField(outcome));
      });
    });
  }

  /** The Authentication-Results field, and the quarantine mark (or null) under it. */
  private Buffer field(List<AuthResult> all, String quarantine) {
    recorded = List.copyOf(all);
    String field = AuthenticationResults.field(authservId, all);
    return Buffer.buffer((quarantine == null ? field : field + quarantine).getBytes(StandardCharsets.ISO_8859_1));
  }

  @Override
  public List<AuthResult> authResults() {
    return recorded;
  }

  /**
   * The result of each signature checked, or one {@code dkim=none} result without signatures; then
   * the ARC chain's {@code arc=} result.
   */
  Future<List<AuthResult>> results() {
    return dkimResults().compose(dkim -> fields == null ? Future.succeededFuture(dkim)
        : arc.result(fields).map(chain -> {
          List<AuthResult> all = new ArrayList<>(dkim);
          all.add(chain);
          return all;
        }));
  }

  private Future<List<AuthResult>> dkimResults() {
    endOfMessage();
    if (fields == null) {
      return Future.succeededFuture(List.of(AuthResult.of("dkim", "none", "header section too large to check")));
    }
    List<Future<AuthResult>> results = new ArrayList<>();
    for (Check c : checks) {
      results.add(c.signature() == null ? Future.succeededFuture(AuthResult.of("dkim", "permerror", c.error()))
          : verify(c));
    }
    if (results.isEmpty()) {
      return Future.succeededFuture(List.of(AuthResult.of("dkim", "none", null)));
    }
    return Future.all(results).map(all -> all.<AuthResult>list());
  }

  private Future<AuthResult> verify(Check c) {
    SignatureField s = c.signature();
    if (!MessageDigest.isEqual(c.body().digest(), s.bodyHash())) {
      return Future.succeededFuture(result(s, "fail", "body hash did not verify"));
    }
    if (s.expiration() >= 0 && s.expiration() < clock.instant().getEpochSecond()) {
      return Future.succeededFuture(result(s, "fail", "signature expired"));
    }
    byte[] data = SignatureBuilder.signedData(fields, s.names(), s.withoutB(), s.header());
    return SignatureCheck.verify(keys, s.algorithm(), s.selector(), s.domain(), data, s.signature())
        .map(outcome -> result(s, outcome.result(), outcome.reason()));
  }

  private static AuthResult result(SignatureField s, String result, String reason) {
    return AuthResult.of("dkim", result, reason).with("header.d", s.domain()).with("header.s", s.selector())
        .with("header.a", s.algorithm().tag()).with("header.b", s.shortSignature());
  }
}
