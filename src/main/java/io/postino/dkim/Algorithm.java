package io.postino.dkim;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAKey;

/**
 * The two DKIM signing algorithms Postino uses: {@code rsa-sha256} (RFC 6376; keys of
 * {@value #MIN_RSA_BITS} bits and more, as RFC 8301 requires of signers) and {@code ed25519-sha256}
 * (RFC 8463: PureEdDSA Ed25519 over the SHA-256 hash of the signed data). Both through the JDK.
 */
public enum Algorithm {

  RSA_SHA256("rsa-sha256", "rsa"),
  ED25519_SHA256("ed25519-sha256", "ed25519");

  /** RFC 8301 section 3.2: signers use at least 2048-bit RSA keys. */
  public static final int MIN_RSA_BITS = 2048;

  private final String tag;
  private final String keyType;

  Algorithm(String tag, String keyType) {
    this.tag = tag;
    this.keyType = keyType;
  }

  /** The value of the signature's {@code a=} tag. */
  public String tag() {
    return tag;
  }

  /** The value of the key record's {@code k=} tag. */
  public String keyType() {
    return keyType;
  }

  /** The algorithm of a key record's {@code k=} value; null when it is none of these. */
  static Algorithm ofKeyType(String k) {
    for (Algorithm a : values()) {
      if (a.keyType.equalsIgnoreCase(k)) {
        return a;
      }
    }
    return null;
  }

  /**
   * The algorithm a private key signs with.
   *
   * @throws GeneralSecurityException for another kind of key, or an RSA key under 2048 bits
   */
  public static Algorithm of(PrivateKey key) throws GeneralSecurityException {
    if (key instanceof RSAKey rsa) {
      int bits = rsa.getModulus().bitLength();
      if (bits < MIN_RSA_BITS) {
        throw new GeneralSecurityException("RSA key of " + bits + " bits: DKIM signing keys have at least "
            + MIN_RSA_BITS);
      }
      return RSA_SHA256;
    }
    if ("EdDSA".equals(key.getAlgorithm()) || "Ed25519".equals(key.getAlgorithm())) {
      return ED25519_SHA256;
    }
    throw new GeneralSecurityException("not an RSA or Ed25519 key: " + key.getAlgorithm());
  }

  /** A new key pair; {@code bits} is the RSA modulus size (at least {@value #MIN_RSA_BITS}), unused for Ed25519. */
  public KeyPair generate(int bits) throws GeneralSecurityException {
    if (this == ED25519_SHA256) {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }
    if (bits < MIN_RSA_BITS) {
      throw new GeneralSecurityException("DKIM RSA keys have at least " + MIN_RSA_BITS + " bits: " + bits);
    }
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(bits);
    return rsa.generateKeyPair();
  }

  /** Signs the data of RFC 6376 section 3.7 (the canonicalised header fields). Costly for RSA. */
  public byte[] sign(PrivateKey key, byte[] data) throws GeneralSecurityException {
    Signature s = signature();
    s.initSign(key);
    s.update(this == ED25519_SHA256 ? sha256(data) : data);
    return s.sign();
  }

  /** Whether {@code signature} is this algorithm's signature of {@code data} by {@code key}. */
  public boolean verify(PublicKey key, byte[] data, byte[] signature) throws GeneralSecurityException {
    Signature s = signature();
    s.initVerify(key);
    s.update(this == ED25519_SHA256 ? sha256(data) : data);
    return s.verify(signature);
  }

  private Signature signature() throws GeneralSecurityException {
    return Signature.getInstance(this == RSA_SHA256 ? "SHA256withRSA" : "Ed25519");
  }

  private static byte[] sha256(byte[] data) throws GeneralSecurityException {
    return MessageDigest.getInstance("SHA-256").digest(data);
  }
}
