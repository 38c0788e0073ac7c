package io.postino.testing;

import java.nio.file.Path;
import javax.net.ssl.SSLContext;

/**
 * A test TLS server's certificate: the server side as an {@link SSLContext}, the client side as a
 * PEM file to trust, and the key as a PEM file for a server configured with files.
 */
public final class TestCertificate {

  public final SSLContext serverContext;
  public final Path pemFile;
  /** The private key as PEM (PKCS#8), for a server configured with files (a Postino's tls.key). */
  public final Path keyFile;

  private TestCertificate(SSLContext serverContext, Path pemFile, Path keyFile) {
    this.serverContext = serverContext;
    this.pemFile = pemFile;
    this.keyFile = keyFile;
  }

  /** A server presenting {@code issued} and its chain, with no PEM files written. */
  public static TestCertificate serving(TestCa.Issued issued) throws Exception {
    return new TestCertificate(issued.serverContext(), null, null);
  }

  /** A server presenting {@code issued} and its chain, the certificate and key written under {@code dir}. */
  public static TestCertificate serving(TestCa.Issued issued, Path dir, String fileName) throws Exception {
    return new TestCertificate(issued.serverContext(), issued.writeCertificate(dir.resolve(fileName + ".pem")),
        issued.writeKey(dir.resolve(fileName + ".key")));
  }

  /** A self-signed certificate for {@code hostName} (and 127.0.0.1), its PEM files written under {@code dir}. */
  public static TestCertificate create(String hostName, Path dir) throws Exception {
    return serving(TestCa.selfSigned(hostName).dns(hostName).ip("127.0.0.1").issue(), dir, hostName);
  }
}
