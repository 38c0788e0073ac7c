package io.postino.server.tls;

import io.postino.files.AtomicFiles;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads and writes PEM files: certificate chains, and private keys in the forms {@code openssl}
 * writes (PKCS#8 {@code PRIVATE KEY}, and the traditional {@code RSA PRIVATE KEY} and {@code EC
 * PRIVATE KEY}). Text around the PEM blocks (as {@code openssl pkcs12} leaves) is ignored. Blocking.
 */
final class PemFiles {

  private PemFiles() {
  }

  /** The certificates of a PEM file, in file order: the server's first, then intermediates. */
  static List<X509Certificate> readCertificates(Path file) throws IOException, GeneralSecurityException {
    List<X509Certificate> chain = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(r)) {
      for (Object o = pem.readObject(); o != null; o = pem.readObject()) {
        if (o instanceof X509CertificateHolder holder) {
          chain.add(converter.getCertificate(holder));
        }
      }
    }
    if (chain.isEmpty()) {
      throw new GeneralSecurityException("no certificate in " + file);
    }
    return chain;
  }

  /** The first private key of a PEM file; encrypted keys are refused (no passphrase to ask for). */
  static PrivateKey readPrivateKey(Path file) throws IOException, GeneralSecurityException {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(r)) {
      for (Object o = pem.readObject(); o != null; o = pem.readObject()) {
        if (o instanceof PEMKeyPair pair) {
          // the private part alone: a traditional EC key may come without its public point
          return converter.getPrivateKey(pair.getPrivateKeyInfo());
        }
        if (o instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
          throw new GeneralSecurityException("the private key in " + file
              + " is encrypted; decrypt it first (openssl pkey -in KEY -out KEY.plain)");
        }
      }
    }
    throw new GeneralSecurityException("no private key in " + file);
  }

  static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  static void write(Path file, byte[] content) throws IOException {
    AtomicFiles.write(file, content, false);
  }

  static void writePrivate(Path file, String pem) throws IOException {
    AtomicFiles.write(file, pem.getBytes(StandardCharsets.US_ASCII), true);
  }
}
