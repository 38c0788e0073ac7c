package io.postino.testing;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed ECDSA certificate for a test TLS server: the server side as an
 * {@link SSLContext}, the client side as a PEM file to trust.
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

  /** A server context of the test's own making ({@link TestPki}), with no PEM file to trust. */
  public static TestCertificate serving(SSLContext serverContext) {
    return new TestCertificate(serverContext, null, null);
  }

  /** A certificate made elsewhere (e.g. by a {@link TestAuthority}): the server side and the PEM file. */
  public static TestCertificate of(SSLContext serverContext, Path pemFile) {
    return new TestCertificate(serverContext, pemFile, null);
  }

  /** A certificate for {@code hostName} (and 127.0.0.1), its PEM written under {@code dir}. */
  public static TestCertificate create(String hostName, Path dir) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair keys = generator.generateKeyPair();
    Instant now = Instant.now();
    X500Name name = new X500Name("CN=" + hostName);
    JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
        Date.from(now.minus(1, ChronoUnit.DAYS)), Date.from(now.plus(1, ChronoUnit.DAYS)), name, keys.getPublic());
    builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
        new GeneralName(GeneralName.dNSName, hostName), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
    X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));

    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    char[] password = "test".toCharArray();
    store.setKeyEntry("server", keys.getPrivate(), password, new X509Certificate[] {cert});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, password);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);

    Path pem = dir.resolve(hostName + ".pem");
    Files.writeString(pem, pem("CERTIFICATE", cert.getEncoded()));
    Path key = dir.resolve(hostName + ".key");
    Files.writeString(key, pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
    return new TestCertificate(context, pem, key);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
