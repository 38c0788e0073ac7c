package io.postino.dkim;

import io.postino.authres.AuthResult;
import io.vertx.core.Future;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ARC validation of one message (RFC 8617 section 5.2), fed by {@link MessageVerification}:
 * the chain is read from the header section, the body hash of each ARC-Message-Signature computed
 * while the body streams to the spool (one hash per canonicalisation and length, however many
 * signatures share it), and at the end the most recent message signature and every seal are
 * checked with the DKIM key records of their {@code s=} and {@code d=}. The result is
 * {@code arc=none} without ARC fields, {@code arc=pass} with {@code header.oldest-pass} (the lowest
 * instance whose message signature still verifies, 0 when all do: section 5.2 step 6) and
 * {@code smtp.remote-ip}, or {@code arc=fail} with the first reason found. Used on the spool
 * writer's context.
 */
final class ArcVerification {

  /** A set's message signature: parsed (or why not) and the key of its body hash. */
  private record Signature(SignatureField field, String error, String body) {
  }

  private final ArcChain chain;
  private final KeyRecords keys;
  private final String clientIp;
  private final List<Signature> signatures = new ArrayList<>();
  private final Map<String, BodyHash> bodies = new LinkedHashMap<>();

  /** Reads the chain of these header fields (null: a header section too large to read). */
  ArcVerification(List<String> fields, KeyRecords keys, String clientIp) {
    this.chain = fields == null ? new ArcChain(List.of(), null) : ArcChain.of(fields);
    this.keys = keys;
    this.clientIp = clientIp;
    for (ArcChain.Set s : chain.sets()) {
      try {
        SignatureField ams = SignatureField.parseArc(s.signature());
        String body = ams.body().tagName() + "/" + ams.length();
        bodies.computeIfAbsent(body, k -> new BodyHash(ams.body(), ams.length()));
        signatures.add(new Signature(ams, null, body));
      } catch (IllegalArgumentException e) {
        signatures.add(new Signature(null, e.getMessage(), null));
      }
    }
  }

  boolean wantsBody() {
    return !bodies.isEmpty();
  }

  void body(byte[] bytes, int offset, int length) {
    for (BodyHash b : bodies.values()) {
      b.update(bytes, offset, length);
    }
  }

  /** The {@code arc=} result, once the whole message went past. */
  Future<AuthResult> result(List<String> fields) {
    if (chain.isEmpty()) {
      return Future.succeededFuture(AuthResult.of("arc", "none", null));
    }
    if (chain.failure() != null) {
      return fail(chain.failure());
    }
    List<ArcChain.Set> sets = chain.sets();
    List<ArcSeal> seals = new ArrayList<>(sets.size());
    for (ArcChain.Set s : sets) {
      try {
        seals.add(ArcSeal.parse(s.seal()));
      } catch (IllegalArgumentException e) {
        return fail("ARC-Seal i=" + s.instance() + ": " + e.getMessage());
      }
    }
    int n = sets.size();
    if (seals.get(n - 1).cv().equals("fail")) {
      return fail("ARC-Seal i=" + n + " says the chain failed (cv=fail)");
    }
    for (int i = 1; i <= n; i++) {
      String expected = i == 1 ? "none" : "pass";
      if (!seals.get(i - 1).cv().equals(expected)) {
        return fail("ARC-Seal i=" + i + " has cv=" + seals.get(i - 1).cv() + ", not " + expected);
      }
    }
    Map<String, byte[]> digests = new HashMap<>();
    bodies.forEach((k, b) -> digests.put(k, b.digest()));
    List<Future<SignatureCheck.Outcome>> messageChecks = new ArrayList<>(n);
    for (Signature s : signatures) {
      messageChecks.add(check(s, fields, digests));
    }
    List<Future<SignatureCheck.Outcome>> sealChecks = new ArrayList<>(n);
    for (int i = 1; i <= n; i++) {
      ArcSeal seal = seals.get(i - 1);
      byte[] data = ArcChain.sealedData(sets.subList(0, i), SignatureField.withoutB(seal.field()));
      sealChecks.add(SignatureCheck.verify(keys, seal.algorithm(), seal.selector(), seal.domain(), data,
          seal.signature()));
    }
    List<Future<SignatureCheck.Outcome>> all = new ArrayList<>(messageChecks);
    all.addAll(sealChecks);
    return Future.all(all).map(done -> judge(messageChecks, sealChecks));
  }

  /** Section 5.2 steps 5 to 8, the checks done. */
  private AuthResult judge(List<Future<SignatureCheck.Outcome>> messageChecks,
      List<Future<SignatureCheck.Outcome>> sealChecks) {
    int n = messageChecks.size();
    SignatureCheck.Outcome newest = messageChecks.get(n - 1).result();
    if (!newest.passed()) {
      return failed("ARC-Message-Signature i=" + n + ": " + newest.reason());
    }
    for (int i = n; i >= 1; i--) {
      SignatureCheck.Outcome seal = sealChecks.get(i - 1).result();
      if (!seal.passed()) {
        return failed("ARC-Seal i=" + i + ": " + seal.reason());
      }
    }
    int oldestPass = 0;
    for (int i = n - 1; i >= 1; i--) {
      if (!messageChecks.get(i - 1).result().passed()) {
        oldestPass = i + 1;
        break;
      }
    }
    return withIp(AuthResult.of("arc", "pass", null).with("header.oldest-pass", String.valueOf(oldestPass)));
  }

  /** One message signature: its body hash, then its key and signature. */
  private Future<SignatureCheck.Outcome> check(Signature s, List<String> fields, Map<String, byte[]> digests) {
    if (s.field() == null) {
      return Future.succeededFuture(new SignatureCheck.Outcome("permerror", s.error()));
    }
    SignatureField ams = s.field();
    if (!MessageDigest.isEqual(digests.get(s.body()), ams.bodyHash())) {
      return Future.succeededFuture(new SignatureCheck.Outcome("fail", "body hash did not verify"));
    }
    byte[] data = SignatureBuilder.signedData(fields, ams.names(), ams.withoutB(), ams.header());
    return SignatureCheck.verify(keys, ams.algorithm(), ams.selector(), ams.domain(), data, ams.signature());
  }

  private Future<AuthResult> fail(String reason) {
    return Future.succeededFuture(failed(reason));
  }

  private AuthResult failed(String reason) {
    return withIp(AuthResult.of("arc", "fail", reason));
  }

  private AuthResult withIp(AuthResult r) {
    return clientIp == null ? r : r.with("smtp.remote-ip", clientIp);
  }
}
