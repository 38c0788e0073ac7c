package io.postino.dkim;

import io.vertx.core.Future;
import java.security.GeneralSecurityException;
import java.security.interfaces.RSAKey;

/**
 * The part of checking a signature that DKIM signatures, ARC message signatures and ARC seals
 * share: the key record of {@code s=} and {@code d=} fetched (cached, see {@link KeyRecords}), the
 * key's fitness judged (type, RFC 8301's minimum size) and the signature of the canonicalised data
 * verified. Thread-safe.
 */
final class SignatureCheck {

  /** RFC 8301 section 3.2: verifiers do not accept RSA keys under 1024 bits. */
  static final int MIN_RSA_BITS = 1024;

  /**
   * How a check ended: {@code pass}, {@code fail}, {@code permerror} (no usable key) or
   * {@code temperror} (the key record could not be fetched now), and why when not a pass.
   */
  record Outcome(String result, String reason) {

    static final Outcome PASS = new Outcome("pass", null);

    boolean passed() {
      return this == PASS;
    }
  }

  private SignatureCheck() {
  }

  /** Whether {@code signature} signs {@code data} with the key published at {@code selector._domainkey.domain}. */
  static Future<Outcome> verify(KeyRecords keys, Algorithm algorithm, String selector, String domain, byte[] data,
      byte[] signature) {
    return keys.lookup(selector, domain).map(found -> {
      if (found.key() == null) {
        return new Outcome(found.temporary() ? "temperror" : "permerror", found.error());
      }
      if (found.key().algorithm() != algorithm) {
        return new Outcome("permerror", "key type " + found.key().algorithm().keyType() + " does not fit a="
            + algorithm.tag());
      }
      if (found.key().key() instanceof RSAKey rsa && rsa.getModulus().bitLength() < MIN_RSA_BITS) {
        return new Outcome("fail", "weak key, " + rsa.getModulus().bitLength() + " bits");
      }
      try {
        return algorithm.verify(found.key().key(), data, signature) ? Outcome.PASS
            : new Outcome("fail", "signature did not verify");
      } catch (GeneralSecurityException e) {
        return new Outcome("fail", e.getMessage());
      }
    });
  }
}
