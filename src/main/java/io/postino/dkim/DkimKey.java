package io.postino.dkim;

import java.security.PrivateKey;
import java.util.Locale;
import java.util.Objects;

/** One signing key: the {@code d=} domain, the {@code s=} selector and the private key. */
public record DkimKey(String domain, String selector, Algorithm algorithm, PrivateKey key) {

  public DkimKey {
    domain = Objects.requireNonNull(domain, "domain").toLowerCase(Locale.ROOT);
    Objects.requireNonNull(selector, "selector");
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(key, "key");
  }

  /** Where verifiers find the public key: {@code selector._domainkey.domain}. */
  public String recordName() {
    return recordName(domain, selector);
  }

  /** Where verifiers find the key of {@code domain} and {@code selector}. */
  public static String recordName(String domain, String selector) {
    return selector + "._domainkey." + domain.toLowerCase(Locale.ROOT);
  }
}
