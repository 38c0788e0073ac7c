package io.postino.server.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loaded key and certificate chain, and the server-side TLS context made of them. Immutable: a
 * reload makes a new one, and handshakes already started keep the one they began with.
 *
 * @param context the Netty context new TLS connections are made from
 * @param chain   the certificate chain, the server's own certificate first
 */
record ServerCertificate(SslContext context, List<X509Certificate> chain) {

  private static final Logger log = LoggerFactory.getLogger(ServerCertificate.class);
  private static final char[] KEY_STORE_PASSWORD = "postino".toCharArray();
  private static final byte[] PROBE = "postino key check".getBytes(StandardCharsets.US_ASCII);

  X509Certificate certificate() {
    return chain.get(0);
  }

  /**
   * Reads the PEM files, checks that the key belongs to the certificate, and builds the TLS
   * context offering only {@code protocols}. Blocking.
   *
   * @throws GeneralSecurityException for a missing or malformed key or certificate, or a key that
   *     does not match the certificate (e.g. caught between the writes of a renewal)
   */
  static ServerCertificate load(Path certificateFile, Path keyFile, List<String> protocols)
      throws IOException, GeneralSecurityException {
    List<X509Certificate> chain = PemFiles.readCertificates(certificateFile);
    PrivateKey key = PemFiles.readPrivateKey(keyFile);
    if (!matches(key, chain.get(0).getPublicKey())) {
      throw new GeneralSecurityException("the key in " + keyFile + " does not belong to the certificate in "
          + certificateFile);
    }
    try {
      chain.get(0).checkValidity();
    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
      // still served: refusing TLS would make things worse for clients that do not check
      log.warn("TLS certificate {} is not valid now: {}", certificateFile, e.getMessage());
    }
    return new ServerCertificate(context(key, chain, protocols), List.copyOf(chain));
  }

  /**
   * The TLS context of a key and its chain. Netty's builder would put them in a PKCS#12 key store,
   * whose key protection is 10,000 rounds of PBKDF2 with SHA-256, and its server context class
   * makes one more such store as it loads (testing the JDK): at a start, on a JVM that still
   * interprets, that delayed the first 220 by about 0.4 s and cost 0.7 s of CPU (and brought the
   * JIT's second compiler to SHA-256 before any mail). A key store that only ever lives in memory
   * protects nothing: this one is JKS, whose key protection is a single pass, and the context is
   * handed to Netty whole.
   */
  private static SslContext context(PrivateKey key, List<X509Certificate> chain, List<String> protocols)
      throws GeneralSecurityException, IOException {
    char[] password = KEY_STORE_PASSWORD.clone();
    KeyStore store = KeyStore.getInstance("JKS");
    store.load(null, null);
    store.setKeyEntry("postino", key, password, chain.toArray(X509Certificate[]::new));
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, password);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(keys.getKeyManagers(), null, null);
    return new JdkSslContext(ssl, false, null, IdentityCipherSuiteFilter.INSTANCE, null, ClientAuth.NONE,
        protocols.toArray(String[]::new), false);
  }

  /** Signs a probe with the private key and verifies it with the certificate's public key. */
  private static boolean matches(PrivateKey key, PublicKey publicKey) throws GeneralSecurityException {
    String algorithm = switch (key.getAlgorithm()) {
      case "EC", "ECDSA" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      case "Ed448" -> "Ed448";
      // an algorithm this check does not know: the handshake will tell
      default -> null;
    };
    if (algorithm == null) {
      return true;
    }
    if (!key.getAlgorithm().equals(publicKey.getAlgorithm())
        && !(key.getAlgorithm().startsWith("Ed") && publicKey.getAlgorithm().startsWith("Ed"))) {
      return false;
    }
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(key);
    signer.update(PROBE);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(publicKey);
    verifier.update(PROBE);
    return verifier.verify(signature);
  }
}
