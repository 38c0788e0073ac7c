package io.postino.dkim;

import io.postino.files.AtomicFiles;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;

/**
 * DKIM private keys in PEM files: PKCS#8 ({@code PRIVATE KEY}, what {@code dkim keygen} and
 * {@code openssl genpkey} write) and the traditional {@code RSA PRIVATE KEY} of
 * {@code opendkim-genkey}. The key objects are the JDK's own, whichever form was read. Blocking.
 * Used by the server and by {@code postino dkim keygen} and {@code check}.
 */
public final class KeyFiles {

  private KeyFiles() {
  }

  /**
   * The private key of a PEM file.
   *
   * @throws GeneralSecurityException no key, an encrypted one, or one that is neither RSA nor Ed25519
   */
  public static PrivateKey read(Path file) throws IOException, GeneralSecurityException {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(r)) {
      for (Object o = pem.readObject(); o != null; o = pem.readObject()) {
        PrivateKeyInfo info = o instanceof PEMKeyPair pair ? pair.getPrivateKeyInfo()
            : o instanceof PrivateKeyInfo i ? i : null;
        if (info == null) {
          continue;
        }
        var oid = info.getPrivateKeyAlgorithm().getAlgorithm();
        String algorithm = oid.equals(PKCSObjectIdentifiers.rsaEncryption) ? "RSA"
            : oid.equals(EdECObjectIdentifiers.id_Ed25519) ? "Ed25519" : null;
        if (algorithm == null) {
          throw new GeneralSecurityException("the key in " + file + " is neither RSA nor Ed25519 (" + oid + ")");
        }
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
      }
    }
    throw new GeneralSecurityException("no unencrypted private key in " + file);
  }

  /** Writes a key as PKCS#8 PEM, readable by its owner only (0600), replacing the file atomically. */
  public static void write(Path file, PrivateKey key) throws IOException {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded());
    String pem = "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n";
    AtomicFiles.write(file, pem.getBytes(StandardCharsets.US_ASCII), true);
  }
}
