package io.postino.dkim;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The DKIM key record published in DNS at {@code selector._domainkey.domain} (RFC 6376 section
 * 3.6.1): {@code v=DKIM1; k=rsa; p=<base64>}. An RSA key's {@code p=} is its DER
 * SubjectPublicKeyInfo (as {@code openssl rsa -pubout} and every signer publish it); an Ed25519
 * key's is the bare 32-octet public key (RFC 8463 section 4.2).
 */
public record KeyRecord(Algorithm algorithm, PublicKey key) {

  /** The DER prefix of an Ed25519 SubjectPublicKeyInfo, in front of the 32 key octets. */
  private static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21,
      0x00};

  /** The TXT record's text. */
  public String text() {
    byte[] der = key.getEncoded();
    byte[] p = algorithm == Algorithm.ED25519_SHA256 ? Arrays.copyOfRange(der, ED25519_SPKI_PREFIX.length, der.length)
        : der;
    return "v=DKIM1; k=" + algorithm.keyType() + "; p=" + Base64.getEncoder().encodeToString(p);
  }

  /**
   * The record as a zone-file line for {@code name} ({@code selector._domainkey.domain}), its text
   * in strings of at most 250 characters (a TXT string holds 255 octets).
   */
  public String zoneLine(String name) {
    String text = text();
    StringBuilder line = new StringBuilder(name).append(". IN TXT (");
    for (int i = 0; i < text.length(); i += 250) {
      line.append(" \"").append(text, i, Math.min(text.length(), i + 250)).append('"');
    }
    return line.append(" )").toString();
  }

  /** Whether {@code key} is the private half of this record's key: it signs, the record's key verifies. */
  public boolean matches(PrivateKey key) throws GeneralSecurityException {
    if (Algorithm.of(key) != algorithm) {
      return false;
    }
    byte[] probe = "postino dkim check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    return algorithm.verify(this.key, probe, algorithm.sign(key, probe));
  }

  /**
   * The first usable key record among the TXT records at a selector's name (each record's strings
   * joined): other TXT records may sit at that name, and RFC 6376 section 3.6.2.2 lets a verifier
   * choose among several records.
   *
   * @throws GeneralSecurityException with the first record's fault when none is usable
   */
  public static KeyRecord firstUsable(java.util.List<String> records) throws GeneralSecurityException {
    GeneralSecurityException first = null;
    for (String text : records) {
      try {
        return parse(text);
      } catch (GeneralSecurityException | RuntimeException e) {
        if (first == null) {
          first = e instanceof GeneralSecurityException g ? g : new GeneralSecurityException(e.getMessage(), e);
        }
      }
    }
    throw first != null ? first : new GeneralSecurityException("no key record");
  }

  /**
   * Reads a key record's text (the strings of a TXT record, joined).
   *
   * @throws GeneralSecurityException when it is no key record, names an unknown key type, has no
   *     key (an empty {@code p=} revokes it) or a key that does not decode
   */
  public static KeyRecord parse(String text) throws GeneralSecurityException {
    Map<String, String> tags = tags(text);
    String v = tags.get("v");
    if (v != null && !v.equals("DKIM1")) {
      throw new GeneralSecurityException("not a DKIM1 key record: v=" + v);
    }
    String k = tags.getOrDefault("k", "rsa");
    Algorithm algorithm = Algorithm.ofKeyType(k);
    if (algorithm == null) {
      throw new GeneralSecurityException("unknown key type k=" + k);
    }
    String p = tags.get("p");
    if (p == null || p.isEmpty()) {
      throw new GeneralSecurityException(p == null ? "no p= tag" : "the key is revoked (empty p=)");
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(p);
    } catch (IllegalArgumentException e) {
      throw new GeneralSecurityException("p= is not base64");
    }
    if (algorithm == Algorithm.ED25519_SHA256) {
      if (bytes.length != 32) {
        throw new GeneralSecurityException("an Ed25519 key has 32 octets, p= has " + bytes.length);
      }
      byte[] der = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + 32);
      System.arraycopy(bytes, 0, der, ED25519_SPKI_PREFIX.length, 32);
      return new KeyRecord(algorithm, KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der)));
    }
    return new KeyRecord(algorithm, KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(bytes)));
  }

  /** A tag-list (RFC 6376 section 3.2): names and values, white space inside values removed. */
  static Map<String, String> tags(String text) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (String spec : text.split(";")) {
      int eq = spec.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String name = spec.substring(0, eq).strip().toLowerCase(Locale.ROOT);
      tags.putIfAbsent(name, spec.substring(eq + 1).replaceAll("[ \t\r\n]", ""));
    }
    return tags;
  }
}
